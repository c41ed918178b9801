"""box_from_mask: one box from a probability map (SPOL's box extractor)."""
import numpy as np
import pytest
import torch

from wsol_mm.evaluation.functional import box_from_mask
from wsol_mm.evaluation.functional.box_extraction import boxes_at_level


def _two_blobs():
    """A 4-pixel blob (rows 1-2, columns 1-2) and a 16-pixel one (rows 5-8,
    columns 6-9) on a 10 x 12 map."""
    mask = np.zeros((10, 12))
    mask[1:3, 1:3] = 0.9
    mask[5:9, 6:10] = 0.6
    return mask


def test_largest_component_and_union_of_two_blobs():
    mask = _two_blobs()
    largest = box_from_mask(mask)
    assert largest.dtype == np.int64 and largest.shape == (4, )
    # x = 6, w = 4 -> x1 = 10; y = 5, h = 4 -> y1 = min(9, H - 1 = 9).
    assert largest.tolist() == [6, 5, 10, 9]
    assert box_from_mask(mask, mode='all').tolist() == [1, 1, 10, 9]
    # At 0.7 only the small blob is foreground.
    assert box_from_mask(mask, threshold=0.7).tolist() == [1, 1, 3, 3]


def test_threshold_is_inclusive():
    mask = np.zeros((6, 6))
    mask[2, 3] = 0.5
    assert box_from_mask(mask, threshold=0.5).tolist() == [3, 2, 4, 3]
    assert box_from_mask(mask, threshold=0.5001).tolist() == [0, 0, 0, 0]


def test_components_are_eight_connected():
    mask = np.zeros((8, 8))
    for i in range(3):  # a diagonal of 3 pixels: one 8-connected component
        mask[4 + i, 4 + i] = 1.0
    mask[0, 0:2] = 1.0  # 2 pixels, larger than any 4-connected piece above
    assert box_from_mask(mask).tolist() == [4, 4, 7, 7]


def test_ties_keep_the_first_component_in_raster_order():
    mask = np.zeros((9, 9))
    mask[6:8, 1:3] = 1.0  # 4 pixels, lower
    mask[1:3, 5:7] = 1.0  # 4 pixels, upper: labelled first
    assert box_from_mask(mask).tolist() == [5, 1, 7, 3]


def test_empty_foreground_gives_zeros():
    box = box_from_mask(np.full((5, 7), 0.49))
    assert box.tolist() == [0, 0, 0, 0] and box.dtype == np.int64
    assert box_from_mask(np.zeros((5, 7)), mode='all').tolist() == [0] * 4


@pytest.mark.parametrize('rows,cols', [
    (slice(2, 5), slice(3, 7)),  # interior
    (slice(4, 9), slice(6, 12)),  # touches the bottom and right borders
    (slice(0, 9), slice(0, 12)),  # the whole map
    (slice(0, 1), slice(11, 12)),  # one pixel in the top-right corner
])
def test_box_convention_matches_boxes_at_level(rows, cols):
    mask = np.zeros((9, 12))
    mask[rows, cols] = 0.8
    binary = np.where(mask >= 0.5, 255, 0).astype(np.uint8)
    expected = boxes_at_level(binary, 127, multi_contour=False)[0]
    for mode in ('largest_component', 'all'):
        assert box_from_mask(mask, mode=mode).tolist() == expected.tolist()


def test_torch_input_equals_numpy_input():
    mask = _two_blobs()
    tensor = torch.from_numpy(mask).float().requires_grad_()
    for mode in ('largest_component', 'all'):
        assert box_from_mask(tensor, mode=mode).tolist() == box_from_mask(
            mask, mode=mode).tolist()


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="'largest_component', 'all'"):
        box_from_mask(np.zeros((3, 3)), mode='largest')
    with pytest.raises(ValueError, match=r'\(1, 3, 3\)'):
        box_from_mask(np.zeros((1, 3, 3)))
