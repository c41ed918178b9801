"""TenCrop / CornerCrop: the ten views of a hand-made image, slice by slice,
with their metadata, built from a config as the TTA pipeline builds them."""
import copy

import numpy as np
import pytest
from mmengine.registry import DefaultScope

from wsol_mm.datasets.transforms import CornerCrop, TenCrop
from wsol_mm.registry import TRANSFORMS

# 8x8 image, every pixel distinct (3 channels: value, value + 64, +128).
IMG = (np.arange(64).reshape(8, 8, 1) + np.array([0, 64, 128])).astype(
    np.uint8)
CROP = 5
# torchvision's TenCrop order: five crops of the image, then of its flip;
# slices (rows, columns) on the image they are cut from.
CORNERS = {
    'top_left': (slice(0, 5), slice(0, 5)),
    'top_right': (slice(0, 5), slice(3, 8)),
    'bottom_left': (slice(3, 8), slice(0, 5)),
    'bottom_right': (slice(3, 8), slice(3, 8)),
}
CENTRE = (slice(1, 6), slice(1, 6))  # (8 - 5) // 2 = 1
OFFSETS = [(0, 0), (3, 0), (0, 3), (3, 3), (1, 1)]  # (x0, y0)


def _results():
    return dict(img=IMG.copy(), img_path='a/b.jpg', img_shape=(8, 8),
                ori_shape=(8, 8), gt_label=2,
                gt_bboxes=np.array([[1.0, 2.0, 7.0, 5.0]]))


def _expected_views():
    flipped = IMG[:, ::-1]
    slices = [*CORNERS.values(), CENTRE]
    return [IMG[s] for s in slices] + [flipped[s] for s in slices]


def _hwc(tensor):
    return tensor.permute(1, 2, 0).numpy()


@pytest.fixture
def scope():
    with DefaultScope.overwrite_default_scope('wsol_mm'):
        yield


def test_corner_crop_slices():
    for corner, window in CORNERS.items():
        out = CornerCrop(CROP, corner)(_results())
        np.testing.assert_array_equal(out['img'], IMG[window])
        assert out['img_shape'] == (CROP, CROP)
        rows, cols = window
        assert out['crop_bbox'] == (cols.start, rows.start, cols.stop,
                                    rows.stop)


def test_corner_crop_rectangular_size():
    out = CornerCrop((3, 2), 'bottom_right')(_results())  # (w, h)
    np.testing.assert_array_equal(out['img'], IMG[6:8, 5:8])


def test_ten_views_equal_the_slices_mmpretrain_packing(scope):
    pipeline = TRANSFORMS.build(dict(type='TenCrop', size=CROP))
    out = pipeline(_results())
    assert len(out['inputs']) == len(out['data_samples']) == 10
    for view, expected in zip(out['inputs'], _expected_views()):
        np.testing.assert_array_equal(_hwc(view), expected)
    for i, sample in enumerate(out['data_samples']):
        assert type(sample).__module__.startswith('mmpretrain')
        assert sample.img_path == 'a/b.jpg'
        assert sample.flip is (i >= 5)
        assert sample.img_shape == (CROP, CROP)
        assert sample.gt_label.tolist() == [2]


def test_ten_views_metadata_maps_back_to_the_image(scope):
    """Each view's homography takes its pixels back to the original ones,
    and its box is the original box moved into the view."""
    pipeline = TRANSFORMS.build(
        dict(type='TenCrop', size=CROP, pack=[dict(type='PackWSOLInputs')]))
    out = pipeline(_results())
    ys, xs = np.mgrid[0:CROP, 0:CROP]
    for i, (view, sample) in enumerate(zip(out['inputs'],
                                           out['data_samples'])):
        inverse = np.linalg.inv(sample.homography_matrix)
        points = inverse @ np.stack(
            [xs.ravel() + 0.5, ys.ravel() + 0.5, np.ones(CROP * CROP)])
        ox = np.floor(points[0]).astype(int)
        oy = np.floor(points[1]).astype(int)
        np.testing.assert_array_equal(
            _hwc(view).reshape(-1, 3), IMG[oy, ox])
        x0, y0 = OFFSETS[i % 5]
        box = [1.0, 2.0, 7.0, 5.0]
        if i >= 5:  # flipped first: x -> 8 - x, then cut
            box = [8 - box[2], box[1], 8 - box[0], box[3]]
        box = np.clip(np.array(box) - [x0, y0, x0, y0], 0, CROP)
        np.testing.assert_allclose(sample.gt_bboxes.numpy()[0], box)


def test_input_dict_is_not_modified(scope):
    results = _results()
    before = copy.deepcopy(results)
    TenCrop(CROP)(results)
    np.testing.assert_array_equal(results['img'], before['img'])
    assert 'homography_matrix' not in results


def test_bad_arguments(scope):
    with pytest.raises(ValueError, match='corner'):
        CornerCrop(CROP, 'middle')
    with pytest.raises(ValueError, match='pack'):
        TenCrop(CROP, pack=[])
    with pytest.raises(ValueError, match='larger than the image'):
        TenCrop(9, pack=[dict(type='PackWSOLInputs')])(_results())
