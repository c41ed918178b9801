"""Score-map overlays and boxes of WSOL predictions (an MMEngine visualizer).

Colours (RGB, MMEngine's order): the score map as OpenCV's JET colour map
blended into the image, GT boxes green, predicted boxes red with their class
and score. Boxes are ``(x0, y0, x1, y1)`` in continuous pixel coordinates
(pixel ``i`` spans ``[i, i + 1)``): the outline is painted on the box's
outermost pixels, inwards, so it never covers a pixel outside the box.
"""
import os
import os.path as osp
from typing import Optional, Sequence

import cv2
import numpy as np
import torch
from mmengine.visualization import Visualizer

from wsol_mm.registry import VISUALIZERS

GT_COLOR = (0, 255, 0)
PRED_COLOR = (255, 0, 0)
TEXT_COLOR = (255, 255, 255)


def _as_numpy(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def score_map_overlay(image: np.ndarray, score_map, alpha: float = 0.5
                      ) -> np.ndarray:
    """``(1 - alpha) * image + alpha * JET(score_map)`` (uint8, RGB).

    Args:
        image (np.ndarray): (H, W, 3) uint8 RGB image.
        score_map (np.ndarray | torch.Tensor): (H, W) map in [0, 1] (values
            outside are clipped, NaN counts as 0), or a larger one (a
            padded batch's grid): its top-left (H, W) is used.
        alpha (float): weight of the colour map, in [0, 1].
    """
    if not 0 <= alpha <= 1:
        raise ValueError(f'alpha must be in [0, 1], got {alpha}')
    score_map = _as_numpy(score_map).astype(np.float32)
    if score_map.ndim == 3 and score_map.shape[0] == 1:
        score_map = score_map[0]
    height, width = image.shape[:2]
    if (score_map.ndim != 2 or score_map.shape[0] < height
            or score_map.shape[1] < width):
        raise ValueError(
            f'score_map of shape {score_map.shape} does not cover the image '
            f'of shape {image.shape[:2]}; give the map on the image grid '
            '(wsol_mm.structures.maps_to_original maps it to the original '
            'image)')
    score_map = np.nan_to_num(score_map[:height, :width], nan=0.0)
    levels = np.round(np.clip(score_map, 0, 1) * 255).astype(np.uint8)
    heat = cv2.cvtColor(cv2.applyColorMap(levels, cv2.COLORMAP_JET),
                        cv2.COLOR_BGR2RGB)
    return cv2.addWeighted(image, 1 - alpha, heat, alpha, 0)


def _pixel_span(box, height: int, width: int):
    """The first and last pixel rows/columns covered by a box, clipped to
    the image; None when it covers none."""
    x0, y0, x1, y1 = (float(v) for v in box)
    left, top = max(int(np.floor(x0)), 0), max(int(np.floor(y0)), 0)
    right = min(int(np.ceil(x1)) - 1, width - 1)
    bottom = min(int(np.ceil(y1)) - 1, height - 1)
    if right < left or bottom < top:
        return None
    return left, top, right, bottom


def draw_box(canvas: np.ndarray, box, color, line_width: int,
             text: Optional[str] = None) -> None:
    """Paint a box's outline (``line_width`` pixels, inside the box) and an
    optional label above it, in place."""
    span = _pixel_span(box, *canvas.shape[:2])
    if span is None:
        return
    left, top, right, bottom = span
    w = line_width
    canvas[top:min(top + w, bottom + 1), left:right + 1] = color
    canvas[max(bottom - w + 1, top):bottom + 1, left:right + 1] = color
    canvas[top:bottom + 1, left:min(left + w, right + 1)] = color
    canvas[top:bottom + 1, max(right - w + 1, left):right + 1] = color
    if not text:
        return
    scale = max(canvas.shape[0], canvas.shape[1]) / 700
    thickness = max(1, int(round(scale * 1.5)))
    scale = max(scale, 0.3)  # readable on small network inputs
    (text_w, text_h), baseline = cv2.getTextSize(
        text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    # Above the box when there is room, else inside its top edge.
    text_top = top - text_h - baseline if top >= text_h + baseline else top
    cv2.rectangle(canvas, (left, text_top),
                  (left + text_w, text_top + text_h + baseline), color, -1)
    cv2.putText(canvas, text, (left, text_top + text_h),
                cv2.FONT_HERSHEY_SIMPLEX, scale, TEXT_COLOR, thickness,
                cv2.LINE_AA)


def draw_localization(image: np.ndarray,
                      score_map=None,
                      gt_bboxes=None,
                      pred_bboxes=None,
                      pred_texts: Optional[Sequence[str]] = None,
                      alpha: float = 0.5,
                      line_width: Optional[int] = None) -> np.ndarray:
    """An image with a score map overlay, GT boxes and predicted boxes.

    Works on any image whose grid the map and boxes are on: the network
    input (validation, ``tools/test.py --show-dir``) or the original image
    (maps and boxes brought back with ``wsol_mm.structures.geometry``).

    Args:
        image (np.ndarray): (H, W, 3) uint8 RGB image (not modified).
        score_map (np.ndarray | torch.Tensor, optional): (H, W) map in
            [0, 1], drawn as a JET overlay.
        gt_bboxes (array-like, optional): (k, 4) GT boxes, green.
        pred_bboxes (array-like, optional): (m, 4) predicted boxes, red.
        pred_texts (sequence of str, optional): a label per predicted box.
        alpha (float): weight of the overlay. Defaults to 0.5.
        line_width (int, optional): outline width in pixels; by default
            1 per 150 pixels of the shorter side, at least 1.

    Returns:
        np.ndarray: the drawn (H, W, 3) uint8 RGB image.
    """
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError('image must be (H, W, 3), got shape '
                         f'{image.shape}')
    canvas = np.ascontiguousarray(image, dtype=np.uint8).copy()
    if score_map is not None:
        canvas = score_map_overlay(canvas, score_map, alpha)
    if line_width is None:
        line_width = max(1, min(canvas.shape[:2]) // 150)
    if gt_bboxes is not None:
        for box in _as_numpy(gt_bboxes).reshape(-1, 4):
            draw_box(canvas, box, GT_COLOR, line_width)
    if pred_bboxes is not None:
        boxes = _as_numpy(pred_bboxes).reshape(-1, 4)
        if pred_texts is not None and len(pred_texts) != len(boxes):
            raise ValueError(f'got {len(pred_texts)} pred_texts for '
                             f'{len(boxes)} pred_bboxes')
        for i, box in enumerate(boxes):
            draw_box(canvas, box, PRED_COLOR, line_width,
                     None if pred_texts is None else pred_texts[i])
    return canvas


@VISUALIZERS.register_module()
class WSOLVisualizer(Visualizer):
    """Draws WSOL data samples: score map overlay, GT and predicted boxes.

    :meth:`add_datasample` sends the drawing to every vis backend
    (``LocalVisBackend`` files under ``<log dir>/vis_data/vis_image``,
    TensorBoard, ...) or to ``out_file``.

    Args:
        name (str): instance name. Defaults to ``'visualizer'``.
        image (np.ndarray, optional): initial image.
        vis_backends (list[dict], optional): vis backend configs.
        save_dir (str, optional): the backends' folder (the runner sets its
            log dir).
        topk (int): predicted boxes drawn (of ``pred_bboxes``, one per
            top-k class). Defaults to 1.
        line_width (int, optional): box outline width (see
            :func:`draw_localization`).
    """

    def __init__(self,
                 name: str = 'visualizer',
                 image: Optional[np.ndarray] = None,
                 vis_backends: Optional[list] = None,
                 save_dir: Optional[str] = None,
                 topk: int = 1,
                 line_width: Optional[int] = None) -> None:
        super().__init__(name=name, image=image, vis_backends=vis_backends,
                         save_dir=save_dir)
        if int(topk) != topk or topk < 1:
            raise ValueError(f'topk must be a positive integer, got {topk}')
        self.topk = int(topk)
        self.line_width = line_width

    def _pred_texts(self, data_sample, num_boxes: int) -> Optional[list]:
        labels = data_sample.get('pred_labels')
        if labels is None:
            return None
        labels = _as_numpy(labels).reshape(-1)[:num_boxes].tolist()
        scores = data_sample.get('pred_score')
        classes = (self.dataset_meta or {}).get('classes')
        texts = []
        for label in labels:
            text = str(classes[label]) if classes is not None and \
                label < len(classes) else f'class {label}'
            if scores is not None:
                text += f' {float(_as_numpy(scores).reshape(-1)[label]):.2f}'
            texts.append(text)
        return texts + [''] * (num_boxes - len(texts))

    def draw_datasample(self,
                        image: np.ndarray,
                        data_sample,
                        draw_gt: bool = True,
                        draw_pred: bool = True,
                        draw_score_map: bool = True,
                        alpha: float = 0.5) -> np.ndarray:
        """:func:`draw_localization` of a data sample's fields: the map is
        ``gt_score_map`` (the evaluated map) or else ``pred_score_maps[0]``;
        GT boxes ``gt_bboxes``; the first ``topk`` of ``pred_bboxes``,
        labelled with ``pred_labels`` and ``pred_score``."""
        score_map = pred_boxes = gt_boxes = texts = None
        if draw_score_map:
            score_map = data_sample.get('gt_score_map')
            maps = data_sample.get('pred_score_maps')
            if score_map is None and maps is not None and len(maps):
                score_map = maps[0]
        if draw_gt:
            gt_boxes = data_sample.get('gt_bboxes')
        if draw_pred and data_sample.get('pred_bboxes') is not None:
            pred_boxes = _as_numpy(
                data_sample.get('pred_bboxes')).reshape(-1, 4)[:self.topk]
            texts = self._pred_texts(data_sample, len(pred_boxes))
        return draw_localization(image, score_map, gt_boxes, pred_boxes,
                                 texts, alpha, self.line_width)

    def add_datasample(self,
                       name: str,
                       image: np.ndarray,
                       data_sample=None,
                       draw_gt: bool = True,
                       draw_pred: bool = True,
                       draw_score_map: bool = True,
                       show: bool = False,
                       wait_time: float = 0,
                       out_file: Optional[str] = None,
                       step: int = 0,
                       alpha: float = 0.5) -> np.ndarray:
        """Draw a data sample on ``image`` (RGB, on the sample's grid) and
        show it, write it to ``out_file``, or else add it to every vis
        backend as ``name`` at ``step``; returns the drawing (RGB)."""
        if data_sample is None:
            drawn = np.ascontiguousarray(image, dtype=np.uint8)
        else:
            drawn = self.draw_datasample(image, data_sample, draw_gt,
                                         draw_pred, draw_score_map, alpha)
        self.set_image(drawn)
        if show:
            self.show(drawn, win_name=name, wait_time=wait_time)
        if out_file is not None:
            folder = osp.dirname(out_file)
            if folder:
                os.makedirs(folder, exist_ok=True)
            if not cv2.imwrite(out_file, drawn[..., ::-1]):
                raise OSError(f'could not write out_file {out_file!r}')
        else:
            self.add_image(name, drawn, step)
        return drawn
