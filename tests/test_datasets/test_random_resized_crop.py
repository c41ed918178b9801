"""GoogLeNet Resize (RandomResizedCrop) moving boxes and masks."""
from unittest import mock

import mmcv
import numpy as np
import pytest
from mmcv.transforms import Compose
from mmengine.registry import DefaultScope
from mmpretrain.datasets.transforms import \
    RandomResizedCrop as MMPretrainRandomResizedCrop

from wsol_mm.datasets.transforms import PackWSOLInputs, RandomFlip
from wsol_mm.datasets.transforms.random_resized_crop import RandomResizedCrop
from wsol_mm.registry import TRANSFORMS


def results_of(height, width, boxes, **extra):
    img = np.arange(height * width * 3, dtype=np.int64).reshape(
        height, width, 3) % 251
    return dict(img=img.astype(np.uint8), img_shape=(height, width),
                ori_shape=(height, width),
                gt_bboxes=np.array(boxes, dtype=np.float64), gt_label=1,
                **extra)


def white_rectangle(height, width, x0, y0, x1, y1):
    img = np.zeros((height, width, 3), np.uint8)
    img[y0:y1, x0:x1] = 255
    return dict(img=img, img_shape=(height, width),
                gt_bboxes=np.array([[x0, y0, x1, y1]], dtype=np.float64))


def white_extent(img):
    ys, xs = np.nonzero(img[..., 0] > 127)
    return [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]


def fixed_window(transform, offset_h, offset_w, target_h, target_w):
    """Make MMPretrain's sampler of ``transform`` return this window."""
    transform.rand_crop_params = mock.Mock(
        return_value=(offset_h, offset_w, target_h, target_w))
    return transform


def test_registered_name_shadows_mmpretrain():
    assert TRANSFORMS.get('RandomResizedCrop') is RandomResizedCrop
    assert issubclass(RandomResizedCrop, MMPretrainRandomResizedCrop)
    with DefaultScope.overwrite_default_scope('wsol_mm'):
        ours = TRANSFORMS.build(dict(type='RandomResizedCrop', size=32))
        theirs = TRANSFORMS.build(
            dict(type='mmpretrain.RandomResizedCrop', scale=32))
    assert type(ours) is RandomResizedCrop
    assert type(theirs) is MMPretrainRandomResizedCrop


def test_defaults_are_the_googlenet_resize():
    transform = RandomResizedCrop(size=(48, 32))
    assert transform.size == (48, 32)
    assert transform.scale == (32, 48)  # MMPretrain's (h, w)
    assert transform.crop_ratio_range == (0.08, 1.0)
    np.testing.assert_allclose(transform.aspect_ratio_range, (0.75, 4 / 3))
    assert repr(transform) == (
        'RandomResizedCrop(size=(48, 32), crop_ratio_range=(0.08, 1.0), '
        'aspect_ratio_range=(0.75, 1.3333), max_attempts=10, '
        "interpolation='bilinear')")


def test_hand_computed_window():
    # 8 x 10 image, window x 3..8, y 2..6 (w 5, h 4) resized to 10 x 8.
    results = results_of(8, 10, [[1, 1, 6, 7], [4, 3, 6, 5], [8, 0, 10, 1]],
                         scale_factor=(0.5, 1.0))
    original = results['img'].copy()
    transform = fixed_window(
        RandomResizedCrop(size=(10, 8), interpolation='nearest'), 2, 3, 4, 5)
    results = transform(results)
    assert results['crop_bbox'] == (3, 2, 8, 6)
    assert results['img_shape'] == (8, 10)
    assert results['img'].shape == (8, 10, 3)
    # Shift by (-3, -2), clip to [0, 5] x [0, 4], then scale by (2, 2).
    np.testing.assert_array_equal(
        results['gt_bboxes'],
        [[0, 0, 6, 8], [2, 2, 6, 6], [10, 0, 10, 0]])
    assert results['gt_bboxes'].dtype == np.float64
    np.testing.assert_allclose(results['scale_factor'], (1.0, 2.0))
    # Nearest neighbours at an exact 2x zoom duplicate every pixel.
    expected = original[2:6, 3:8].repeat(2, axis=0).repeat(2, axis=1)
    np.testing.assert_array_equal(results['img'], expected)
    assert results['ori_shape'] == (8, 10)


def test_anisotropic_scaling():
    # Window x 1..5, y 0..4 (w 4, h 4) to 12 x 2: x * 3, y * 0.5.
    results = results_of(6, 6, [[0.5, 1, 3, 4], [2, 2, 6, 6]])
    results = fixed_window(RandomResizedCrop(size=(12, 2)), 0, 1, 4,
                           4)(results)
    np.testing.assert_allclose(results['gt_bboxes'],
                               [[0, 0.5, 6, 2], [3, 1, 12, 2]])
    np.testing.assert_allclose(results['scale_factor'], (3.0, 0.5))
    assert results['img_shape'] == (2, 12)


def test_same_draws_and_pixels_as_mmpretrain():
    """With the same seed the window and the image equal MMPretrain's."""
    for seed in range(20):
        results = results_of(37, 53, [[5, 6, 40, 30]])
        original = results['img'].copy()
        np.random.seed(seed)
        ours = RandomResizedCrop(size=(24, 20))(results)
        np.random.seed(seed)
        theirs = MMPretrainRandomResizedCrop(scale=(20, 24))(
            dict(img=original.copy()))
        np.testing.assert_array_equal(ours['img'], theirs['img'])
        x0, y0, x1, y1 = ours['crop_bbox']
        np.testing.assert_array_equal(
            ours['img'], mmcv.imresize(original[y0:y1, x0:x1], (24, 20)))
        # GoogLeNet Resize: 8-100 % of the area, aspect in [3/4, 4/3]
        # (up to the rounding of the window's sides).
        area = (x1 - x0) * (y1 - y0) / (37 * 53)
        assert 0.08 * 0.8 <= area <= 1.0
        assert 0.75 * 0.8 <= (x1 - x0) / (y1 - y0) <= 4 / 3 * 1.25
        expected = [
            min(max(5 - x0, 0), x1 - x0) * 24 / (x1 - x0),
            min(max(6 - y0, 0), y1 - y0) * 20 / (y1 - y0),
            min(max(40 - x0, 0), x1 - x0) * 24 / (x1 - x0),
            min(max(30 - y0, 0), y1 - y0) * 20 / (y1 - y0)
        ]
        np.testing.assert_allclose(ours['gt_bboxes'], [expected])


def test_image_moves_with_boxes():
    checked = 0
    for seed in range(40):
        np.random.seed(seed)
        out = RandomResizedCrop(size=64)(
            white_rectangle(60, 80, 20, 10, 50, 30))
        x0, y0, x1, y1 = out['gt_bboxes'][0]
        if x1 - x0 < 3 or y1 - y0 < 3:  # (almost) cut out of the window
            continue
        checked += 1
        # Bilinear interpolation blurs the edge by at most one pixel.
        np.testing.assert_allclose(white_extent(out['img']),
                                   out['gt_bboxes'][0], atol=1)
    assert checked >= 10


def test_gt_mask_follows_and_packs():
    results = results_of(6, 8, [[2, 1, 4, 3]])
    mask = np.zeros((6, 8), np.uint8)
    mask[1:3, 2:4] = 1
    mask[5, 7] = 255
    results['gt_mask'] = mask
    # window x 2..6, y 1..5, zoom 2
    results = Compose([
        fixed_window(RandomResizedCrop(size=8), 1, 2, 4, 4),
        RandomFlip(prob=1),
        PackWSOLInputs(),
    ])(results)
    sample = results['data_samples']
    expected = np.zeros((8, 8), np.uint8)
    expected[0:4, 4:8] = 1  # rows 1..2 -> 0..3, cols 2..3 -> 0..3 -> flipped
    np.testing.assert_array_equal(sample.gt_mask.numpy(), expected)
    assert sample.gt_bboxes.tolist() == [[4, 0, 8, 4]]
    assert sample.img_shape == (8, 8)
    assert tuple(sample.scale_factor) == (2.0, 2.0)


def test_fallback_centre_crop_on_extreme_aspect():
    # No attempt fits a 100 x 10 strip: MMPretrain falls back to a centre
    # crop of aspect 4/3, i.e. 10 high and round(13.33) = 13 wide.
    results = results_of(10, 100, [[0, 0, 50, 10]])
    results = RandomResizedCrop(size=(26, 20), max_attempts=0)(results)
    assert results['crop_bbox'] == (43, 0, 56, 10)
    np.testing.assert_allclose(results['gt_bboxes'], [[0, 0, 14, 20]])


def test_invalid_arguments():
    with pytest.raises(ValueError):
        RandomResizedCrop(size=0)
    with pytest.raises(ValueError):
        RandomResizedCrop(size=8, crop_ratio_range=(1.0, 0.5))
