"""Pseudo boxes of SLT-Net: boxes of maps, normalisation, binary box maps."""
import numpy as np
import pytest
import torch

from wsol_mm.evaluation.functional import boxes_from_scoremap
from wsol_mm.models.utils import (box_score_map, boxes_from_score_maps,
                                  denormalize_boxes, normalize_boxes)


def test_boxes_of_maps_follow_the_largest_component_and_threshold():
    maps = torch.zeros(2, 10, 12)
    maps[0, 2:5, 3:9] = 1.0      # large blob: x 3..8, y 2..4
    maps[0, 7:9, 0:2] = 0.9      # small blob
    maps[1, 1:9, 1:11] = 0.1     # faint everywhere but under 0.2
    maps[1, 4:6, 5:7] = 0.5
    boxes = boxes_from_score_maps(maps)
    assert boxes.dtype == torch.float32 and boxes.shape == (2, 4)
    # [x, y, x + w, y + h] of the component
    np.testing.assert_array_equal(boxes[0].numpy(), [3, 2, 9, 5])
    np.testing.assert_array_equal(boxes[1].numpy(), [5, 4, 7, 6])
    # all foreground pixels at 0.05 instead
    low = boxes_from_score_maps(maps, threshold=0.05, box_mode='all')
    np.testing.assert_array_equal(low[1].numpy(), [1, 1, 11, 9])
    np.testing.assert_array_equal(low[0].numpy(), [0, 2, 9, 9])
    with pytest.raises(ValueError, match='mode must be one of'):
        boxes_from_score_maps(maps, box_mode='biggest')


def test_boxes_of_maps_of_different_sizes():
    maps = [torch.zeros(6, 8), torch.zeros(9, 5)]
    maps[0][1:3, 2:4] = 1
    maps[1][4:9, 0:5] = 1  # touches the right and bottom edges
    boxes = boxes_from_score_maps(maps)
    # the metric's rule clips x1, y1 to W - 1, H - 1
    np.testing.assert_array_equal(boxes.numpy(), [[2, 1, 4, 3], [0, 4, 4, 8]])


def test_normalisation_modes_by_hand_and_inverse():
    boxes = torch.tensor([[16., 32., 160., 224.], [0., 8., 100., 50.]])
    stride = normalize_boxes(boxes, 'stride', stride=16)
    torch.testing.assert_close(
        stride, torch.tensor([[1., 2., 10., 14.], [0., .5, 6.25, 3.125]]))
    image = normalize_boxes(boxes, 'image', input_shape=(224, 320))
    torch.testing.assert_close(
        image, torch.tensor([[.05, 32 / 224, .5, 1.],
                             [0., 8 / 224, 100 / 320, 50 / 224]]))
    for mode, kwargs in (('stride', dict(stride=16)),
                         ('stride', dict(stride=8.5)),
                         ('image', dict(input_shape=(224, 320)))):
        back = denormalize_boxes(normalize_boxes(boxes, mode, **kwargs),
                                 mode, **kwargs)
        torch.testing.assert_close(back, boxes, rtol=0, atol=1e-5)


def test_normalisation_needs_its_number():
    boxes = torch.zeros(1, 4)
    with pytest.raises(ValueError, match='positive stride'):
        normalize_boxes(boxes, 'stride')
    with pytest.raises(ValueError, match='positive stride'):
        denormalize_boxes(boxes, 'stride', stride=0)
    with pytest.raises(ValueError, match='input_shape'):
        normalize_boxes(boxes, 'image')
    with pytest.raises(ValueError, match="'cells'"):
        normalize_boxes(boxes, 'cells', stride=16)


@pytest.mark.parametrize('box', [(3, 2, 9, 5), (3.7, 2.2, 9.9, 5.0),
                                 (0, 0, 12, 10), (0, 4, 7, 10),
                                 (5, 0, 12, 3)])
def test_box_maps_give_the_box_back_at_every_threshold(box):
    height, width = 10, 12
    score_map = box_score_map(torch.tensor(box), (height, width))
    x0, y0, x1, y1 = (int(v) for v in box)
    expected = np.zeros((height, width), np.float32)
    expected[y0:y1, x0:x1] = 1
    np.testing.assert_array_equal(score_map.numpy(), expected)
    if expected.min() == expected.max():
        return  # the whole image: a constant map (the metric gives zeros)
    metric_box = [x0, y0, min(x1, width - 1), min(y1, height - 1)]
    for boxes in boxes_from_scoremap(score_map.numpy(), [0., 0.2, 0.5, 0.99]):
        np.testing.assert_array_equal(boxes, [metric_box])
