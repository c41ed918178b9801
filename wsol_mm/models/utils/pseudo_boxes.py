"""Boxes of SLT-Net's regressor: from localization maps, to regression
targets and back, and as binary maps for the box metrics.

SLT-Net (Guo et al., CVPR 2021, section 3.1) trains the regressor on the
box ``p = (x1 / m, y1 / m, x2 / m, y2 / m)`` of the localizer's map, ``m``
the downsampling factor: :func:`normalize_boxes` with ``mode='stride'``.
PSOL (Zhang et al., CVPR 2020), the template of the regressor, divides by
the input's width and height instead (``mode='image'``).
"""
from typing import Optional, Sequence, Union

import numpy as np
import torch

from wsol_mm.evaluation.functional import box_from_mask

NORMALIZE_MODES = ('stride', 'image')


def boxes_from_score_maps(maps: Union[torch.Tensor, Sequence[torch.Tensor]],
                          threshold: float = 0.2,
                          box_mode: str = 'largest_component'
                          ) -> torch.Tensor:
    """One box per normalised map on the input grid.

    Args:
        maps (Tensor | sequence of Tensor): (B, H, W) maps, or B maps of
            possibly different (H, W), with values in [0, 1].
        threshold (float): foreground threshold of :func:`box_from_mask`
            (0.2: CAM's rule, SLT-Net section 3.2).
        box_mode (str): one of ``BOX_MODES`` of :func:`box_from_mask`
            (``'largest_component'``: the box of the largest connected
            component, CAM's rule).

    Returns:
        Tensor: (B, 4) float32 boxes ``x0 y0 x1 y1`` in input pixels, on the
        device of the maps; the box rule of :func:`box_from_mask`
        (``[x, y, min(x + w, W - 1), min(y + h, H - 1)]``, ``[0, 0, 0, 0]``
        for a map without foreground).
    """
    boxes = [box_from_mask(m, threshold, box_mode) for m in maps]
    device = maps[0].device if len(maps) and isinstance(
        maps[0], torch.Tensor) else None
    return torch.as_tensor(np.asarray(boxes, dtype=np.float32).reshape(-1, 4),
                           device=device)


def _divisors(boxes: torch.Tensor, mode: str,
              input_shape: Optional[Sequence[int]],
              stride: Optional[float]) -> torch.Tensor:
    """The divisors ``(x, y, x, y)`` of the box coordinates of ``mode``, a
    tensor like ``boxes``."""
    if mode == 'stride':
        if stride is None or not float(stride) > 0:
            raise ValueError("box normalisation mode 'stride' needs a "
                             f'positive stride (the localizer\'s '
                             f'downsampling factor m), got {stride!r}')
        x_scale = y_scale = float(stride)
    elif mode == 'image':
        if input_shape is None or len(input_shape) < 2 or \
                min(input_shape[-2:]) <= 0:
            raise ValueError("box normalisation mode 'image' needs the "
                             'input_shape (H, W) of the network input, got '
                             f'{input_shape!r}')
        y_scale, x_scale = (float(side) for side in input_shape[-2:])
    else:
        raise ValueError(f'box normalisation mode must be one of '
                         f'{NORMALIZE_MODES}, got {mode!r}')
    return boxes.new_tensor([x_scale, y_scale, x_scale, y_scale])


def normalize_boxes(boxes: torch.Tensor, mode: str,
                    input_shape: Optional[Sequence[int]] = None,
                    stride: Optional[float] = None) -> torch.Tensor:
    """(..., 4) boxes ``x0 y0 x1 y1`` in input pixels -> regression targets.

    Args:
        boxes (Tensor): boxes in network-input pixels.
        mode (str): ``'stride'``: every coordinate divided by ``stride``
            (SLT-Net's ``p = (x1/m, y1/m, x2/m, y2/m)``, in feature-cell
            units); ``'image'``: x divided by the input width, y by its
            height (PSOL, in [0, 1]).
        input_shape (sequence of int, optional): (H, W) of the network
            input; needed by ``'image'``.
        stride (float, optional): the localizer's downsampling factor m
            (input size / map size, e.g. 16 for VGG16-GAP); needed by
            ``'stride'``.
    """
    return boxes / _divisors(boxes, mode, input_shape, stride)


def denormalize_boxes(boxes: torch.Tensor, mode: str,
                      input_shape: Optional[Sequence[int]] = None,
                      stride: Optional[float] = None) -> torch.Tensor:
    """The inverse of :func:`normalize_boxes` (same arguments)."""
    return boxes * _divisors(boxes, mode, input_shape, stride)


def box_score_map(box: Union[torch.Tensor, Sequence[float]],
                  shape: Sequence[int]) -> torch.Tensor:
    """A binary (H, W) float map of one box: 1 on the pixels
    ``[int(x0), int(x1)) x [int(y0), int(y1))`` (coordinates truncated as
    the metric truncates ``pred_bboxes``), 0 elsewhere.

    Its largest contour at any CAM threshold in [0, 1) gives the box back by
    the metric's rule ``[x, y, min(x + w, W - 1), min(y + h, H - 1)]``, so
    MaxBoxAcc of such maps is the accuracy of the boxes. A box covering the
    whole image (or none of it) makes a constant map, which the metric
    evaluates as zeros.
    """
    height, width = (int(s) for s in shape[:2])
    box = torch.as_tensor(box, dtype=torch.float64).reshape(4).cpu()
    x0, y0, x1, y1 = (int(v) for v in box.trunc().tolist())
    score_map = torch.zeros(height, width)
    score_map[max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)] = 1
    return score_map
