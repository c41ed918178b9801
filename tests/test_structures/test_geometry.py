"""The homography recorded by the transforms and its inverse mapping."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope

from wsol_mm.registry import TRANSFORMS
from wsol_mm.structures import (boxes_to_original, homography_of,
                                maps_to_original)


def _run(pipeline, img, boxes=None):
    init_default_scope('wsol_mm')
    results = dict(img=img, img_shape=img.shape[:2], ori_shape=img.shape[:2])
    if boxes is not None:
        results['gt_bboxes'] = np.asarray(boxes, dtype=np.float64)
    for cfg in pipeline:
        results = TRANSFORMS.build(cfg)(results)
    return results


def _apply(matrix, points):
    points = np.c_[np.asarray(points, dtype=np.float64), np.ones(len(points))]
    mapped = points @ np.asarray(matrix).T
    return mapped[:, :2] / mapped[:, 2:]


def test_resize_crop_flip_compose_to_the_hand_computed_matrix():
    img = np.zeros((300, 400, 3), np.uint8)  # W 400, H 300
    packed = _run([
        dict(type='Resize', size=(256, 256)),
        dict(type='CenterCrop', size=224),
        dict(type='RandomFlip', prob=1.0),
        dict(type='PackWSOLInputs'),
    ], img)
    meta = packed['data_samples'].metainfo
    # (100, 150): resize -> (64, 128); crop (offset 16) -> (48, 112);
    # flip in the 224-wide crop -> (176, 112).
    np.testing.assert_allclose(
        _apply(homography_of(meta), [[100, 150], [0, 0]]),
        [[176, 112], [224 - (0 * 0.64 - 16), 0 * 256 / 300 - 16]])


@pytest.mark.parametrize('pipeline', [
    [dict(type='Resize', size=(256, 256)), dict(type='RandomCrop', size=224),
     dict(type='RandomFlip', prob=0.5)],
    [dict(type='RandomResizedCrop', size=224),
     dict(type='RandomFlip', prob=0.5)],
    [dict(type='Resize', shorter_side=256), dict(type='CenterCrop', size=224),
     dict(type='Resize', size=(112, 100))],
])
def test_matrix_moves_points_like_the_transforms_move_boxes(pipeline):
    rng = np.random.default_rng(3)
    np.random.seed(3)
    for _ in range(20):
        height, width = rng.integers(240, 500, 2)
        img = np.zeros((height, width, 3), np.uint8)
        x0, y0 = rng.uniform(0.3, 0.45) * width, rng.uniform(0.3, 0.45) * height
        box = [x0, y0, x0 + 0.2 * width, y0 + 0.2 * height]
        results = _run(pipeline, img, [box])
        matrix = results['homography_matrix']
        corners = _apply(matrix, [box[:2], box[2:]])
        unclipped = np.r_[corners.min(0), corners.max(0)]
        np.testing.assert_allclose(
            boxes_to_original(unclipped, matrix, (height, width))[0], box,
            atol=1e-9)
        # Boxes are clipped to the crop, points are not.
        expected = unclipped.copy()
        expected[0::2] = expected[0::2].clip(0, results['img'].shape[1])
        expected[1::2] = expected[1::2].clip(0, results['img'].shape[0])
        np.testing.assert_allclose(results['gt_bboxes'][0], expected,
                                   atol=1e-9)


def test_maps_to_original_is_the_bilinear_resize_for_a_plain_resize():
    score_map = torch.tensor([[[0.0, 0.3], [0.6, 1.0]]])
    # original 6 wide, 4 high -> input 2x2
    matrix = np.diag([2 / 6, 2 / 4, 1.0])
    mapped, seen = maps_to_original(score_map, matrix, (4, 6))
    expected = F.interpolate(score_map[None], size=(4, 6), mode='bilinear',
                             align_corners=False)[0]
    torch.testing.assert_close(mapped, expected)
    assert bool(seen.all())


def test_maps_to_original_of_a_crop_marks_the_unseen_pixels():
    # an input that is the window x in [2, 5), y in [1, 3) of a 6x4 image
    matrix = np.array([[1.0, 0, -2], [0, 1, -1], [0, 0, 1]])
    window = torch.arange(6, dtype=torch.float32).reshape(1, 2, 3)
    mapped, seen = maps_to_original(window, matrix, (4, 6))
    expected_seen = np.zeros((4, 6), bool)
    expected_seen[1:3, 2:5] = True
    np.testing.assert_array_equal(seen.numpy(), expected_seen)
    torch.testing.assert_close(mapped[0, 1:3, 2:5], window[0])
    labels = torch.tensor([[[0, 1, 255]]], dtype=torch.uint8).expand(1, 2, 3)
    nearest, _ = maps_to_original(labels.contiguous(), matrix, (4, 6),
                                  mode='nearest')
    assert nearest.dtype == torch.uint8
    np.testing.assert_array_equal(nearest[0, 1:3, 2:5].numpy(),
                                  [[0, 1, 255], [0, 1, 255]])


def test_missing_homography_is_identity_only_for_an_unchanged_image():
    np.testing.assert_array_equal(
        homography_of(dict(img_shape=(4, 5), ori_shape=(4, 5))), np.eye(3))
    with pytest.raises(ValueError, match='no homography_matrix was recorded'):
        homography_of(dict(img_shape=(4, 4), ori_shape=(4, 5),
                           img_path='a.jpg'))
    with pytest.raises(ValueError, match='must be 3x3'):
        homography_of(dict(homography_matrix=np.eye(2)))
