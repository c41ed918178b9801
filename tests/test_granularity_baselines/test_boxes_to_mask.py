"""BoxesToMask: the FSL-Seg target, pixel centres inside any box."""
import numpy as np
import pytest
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.registry import init_default_scope

from wsol_mm.datasets.transforms import BoxesToMask


def _fill(boxes, height=8, width=10):
    results = dict(img=np.zeros((height, width, 3), np.uint8),
                   gt_bboxes=np.asarray(boxes, np.float64).reshape(-1, 4))
    return BoxesToMask()(results)['pseudo_mask']


def test_off_centre_box_by_hand():
    mask = _fill([[1.2, 2.0, 4.6, 5.0]])
    expected = np.zeros((8, 10), np.uint8)
    # column centres 1.5 .. 4.5 are in [1.2, 4.6); row centres 2.5 .. 4.5
    # in [2, 5)
    expected[2:5, 1:5] = 1
    np.testing.assert_array_equal(mask, expected)
    assert mask.dtype == np.uint8


def test_integer_box_fills_x0_to_x1_minus_one():
    mask = _fill([[3, 1, 6, 7]])
    expected = np.zeros((8, 10), np.uint8)
    expected[1:7, 3:6] = 1
    np.testing.assert_array_equal(mask, expected)


def test_two_boxes_union_clipped_at_the_edges_and_empty_ones():
    mask = _fill([[0.0, 6.0, 2.0, 8.0], [7.5, -3.0, 20.0, 1.5],
                  [3.0, 3.0, 3.0, 3.0]])
    expected = np.zeros((8, 10), np.uint8)
    expected[6:8, 0:2] = 1
    expected[0:1, 7:10] = 1  # centre 7.5 is in, row centre 1.5 is out
    np.testing.assert_array_equal(mask, expected)
    np.testing.assert_array_equal(_fill(np.zeros((0, 4))),
                                  np.zeros((8, 10), np.uint8))


def test_bad_input_names_the_key():
    with pytest.raises(KeyError, match="'gt_bboxes'"):
        BoxesToMask()(dict(img=np.zeros((4, 4, 3), np.uint8),
                           img_path='x.jpg'))
    with pytest.raises(ValueError, match=r'gt_bboxes of x.jpg must have '
                       r'shape \(k, 4\)'):
        BoxesToMask()(dict(img=np.zeros((4, 4, 3), np.uint8),
                           gt_bboxes=np.zeros((1, 3)), img_path='x.jpg'))


def test_after_resize_crop_and_flip_of_the_demo_pipeline():
    """The demo's training pipeline (resize 128, random crop 112, flip,
    BoxesToMask) on a bright off-centre rectangle: the mask is the box moved
    by the recorded homography, and covers the bright pixels."""
    init_default_scope('wsol_mm')
    cfg = Config.fromfile('configs/fsl/fsl_seg_r18_demo.py')
    pipeline = Compose(cfg.train_dataloader.dataset.pipeline[1:-1])
    height, width = 150, 200
    box = [20, 30, 90, 100]  # x0 y0 x1 y1, off-centre, integer pixels
    img = np.zeros((height, width, 3), np.uint8)
    img[box[1]:box[3], box[0]:box[2]] = 255
    flips = set()
    for seed in range(12):
        np.random.seed(seed)
        out = pipeline(dict(img=img.copy(), img_shape=(height, width),
                            ori_shape=(height, width),
                            gt_bboxes=np.asarray([box], np.float64)))
        flips.add(out['flip'])
        H = out['homography_matrix']
        corners = H @ np.array([[box[0], box[2]], [box[1], box[3]], [1, 1]])
        xs, ys = sorted(corners[0] / corners[2]), sorted(
            corners[1] / corners[2])
        cy, cx = np.mgrid[0:112, 0:112] + 0.5
        expected = ((cx >= xs[0]) & (cx < xs[1]) & (cy >= ys[0]) &
                    (cy < ys[1]))
        mask = out['pseudo_mask']
        assert mask.shape == (112, 112)
        np.testing.assert_array_equal(mask, expected.astype(np.uint8))
        bright = out['img'][..., 0] > 127
        assert (bright == mask.astype(bool)).mean() > 0.99
    assert flips == {True, False}
