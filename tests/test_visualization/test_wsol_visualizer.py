"""WSOLVisualizer and draw_localization: the drawn pixels."""
import os.path as osp

import cv2
import numpy as np
import pytest
import torch

from wsol_mm.registry import VISUALIZERS
from wsol_mm.structures import WSOLDataSample
from wsol_mm.visualization import (WSOLVisualizer, draw_localization,
                                   score_map_overlay)

GREEN, RED = (0, 255, 0), (255, 0, 0)


def _jet_rgb(level: int) -> np.ndarray:
    """OpenCV's JET colour of one uint8 level, as RGB."""
    bgr = cv2.applyColorMap(np.uint8([[level]]), cv2.COLORMAP_JET)[0, 0]
    return bgr[::-1].astype(np.float64)


def _scene():
    image = np.full((60, 80, 3), 100, dtype=np.uint8)
    image[:, 40:] = (10, 200, 30)
    score_map = np.zeros((60, 80), dtype=np.float32)
    score_map[20:40, 50:70] = 1.0  # high inside, 0 elsewhere
    return image, score_map


def test_overlay_blends_jet_colours_where_the_map_is():
    image, score_map = _scene()
    drawn = score_map_overlay(image, torch.from_numpy(score_map), alpha=0.25)
    high = 0.75 * image[30, 60] + 0.25 * _jet_rgb(255)
    low = 0.75 * image[5, 5] + 0.25 * _jet_rgb(0)
    np.testing.assert_allclose(drawn[30, 60], high, atol=1)
    np.testing.assert_allclose(drawn[5, 5], low, atol=1)
    assert np.abs(drawn[30, 60].astype(int) - image[30, 60]).max() > 20
    # A padded batch grid: the top-left part is the image's.
    padded = np.pad(score_map, ((0, 4), (0, 8)))
    np.testing.assert_array_equal(
        score_map_overlay(image, padded, 0.25), drawn)
    with pytest.raises(ValueError, match='does not cover'):
        score_map_overlay(image, score_map[:30], 0.25)
    with pytest.raises(ValueError, match='alpha'):
        score_map_overlay(image, score_map, 1.5)


def test_boxes_are_outlined_on_their_own_pixels():
    image, score_map = _scene()
    gt = np.array([[10, 12, 30, 50]])  # columns 10..29, rows 12..49
    pred = np.array([[45.5, 5.2, 75, 58]])  # columns 45..74, rows 5..57
    drawn = draw_localization(image, score_map, gt, pred, ['bird 0.90'],
                              alpha=0.5, line_width=2)
    assert drawn.shape == image.shape and drawn.dtype == np.uint8
    assert (image == 100).all(axis=2)[:, :40].all()  # input untouched
    for y, x in [(12, 20), (13, 20), (49, 15), (48, 15), (30, 10), (30, 11),
                 (30, 29), (30, 28), (12, 10), (49, 29)]:
        assert tuple(drawn[y, x]) == GREEN, (y, x)
    for y, x in [(11, 20), (14, 20), (50, 15), (30, 9), (30, 12), (30, 30)]:
        assert tuple(drawn[y, x]) != GREEN, (y, x)
    for y, x in [(57, 60), (30, 45), (30, 74), (56, 46)]:
        assert tuple(drawn[y, x]) == RED, (y, x)
    assert tuple(drawn[30, 47]) != RED
    # Inside the GT box, away from its outline, only the overlay changed it.
    np.testing.assert_allclose(drawn[30, 20], 0.5 * image[30, 20] +
                               0.5 * _jet_rgb(0), atol=1)
    # No room above the box (5 rows): the label is inside its top edge.
    unlabelled = draw_localization(image, score_map, gt, pred, alpha=0.5,
                                   line_width=2)
    rows, cols = np.nonzero((drawn != unlabelled).any(axis=2))
    assert len(rows) and rows.min() >= 5 and rows.max() < 25
    assert cols.min() >= 45


def test_draw_localization_rejects_bad_input():
    image, score_map = _scene()
    with pytest.raises(ValueError, match='image must be'):
        draw_localization(image[..., 0])
    with pytest.raises(ValueError, match='pred_texts'):
        draw_localization(image, pred_bboxes=[[0, 0, 5, 5]],
                          pred_texts=['a', 'b'])


def _sample():
    image, score_map = _scene()
    sample = WSOLDataSample(metainfo=dict(img_shape=(60, 80)))
    sample.gt_bboxes = torch.tensor([[10., 12., 30., 50.]])
    sample.gt_score_map = torch.from_numpy(score_map)
    sample.pred_score = torch.tensor([0.1, 0.7, 0.2])
    sample.pred_labels = torch.tensor([1, 2])
    sample.pred_bboxes = torch.tensor([[45., 5., 75., 58.], [0, 0, 80, 60]])
    return image, sample


def test_visualizer_draws_sample_fields_to_backends_and_files(tmp_path):
    visualizer = VISUALIZERS.build(dict(
        type='WSOLVisualizer', name='test_wsol_visualizer',
        vis_backends=[dict(type='LocalVisBackend')],
        save_dir=str(tmp_path / 'run'), line_width=1))
    assert isinstance(visualizer, WSOLVisualizer)
    visualizer.dataset_meta = dict(classes=('a', 'b', 'c'))
    image, sample = _sample()
    drawn = visualizer.add_datasample('val_img', image, sample, step=3)
    expected = draw_localization(
        image, sample.gt_score_map, sample.gt_bboxes,
        sample.pred_bboxes[:1], ['b 0.70'], alpha=0.5, line_width=1)
    np.testing.assert_array_equal(drawn, expected)  # top-1 box, its label
    saved = cv2.imread(str(tmp_path / 'run' / 'vis_data' / 'vis_image' /
                       'val_img_3.png'))
    np.testing.assert_array_equal(saved[..., ::-1], drawn)

    out_file = str(tmp_path / 'out' / 'x.png')
    plain = visualizer.add_datasample(
        'x', image, sample, draw_gt=False, draw_pred=False, out_file=out_file)
    np.testing.assert_array_equal(
        plain, score_map_overlay(image, sample.gt_score_map))
    assert osp.exists(out_file)
    assert not osp.exists(tmp_path / 'run' / 'vis_data' / 'vis_image' /
                          'x_0.png')

    # Without gt_score_map the top-1 class map is drawn.
    del sample.gt_score_map
    sample.pred_score_maps = torch.zeros(2, 60, 80)
    no_map = visualizer.add_datasample('y', image, sample, draw_gt=False,
                                       draw_pred=False, out_file=out_file)
    np.testing.assert_array_equal(
        no_map, score_map_overlay(image, np.zeros((60, 80))))
