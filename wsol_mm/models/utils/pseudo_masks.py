"""Pseudo segmentation labels from score maps by double thresholding (SPOL).
"""
import torch


def double_threshold(maps: torch.Tensor,
                     fg_threshold: float = 0.5,
                     bg_threshold: float = 0.004,
                     ignore_index: int = 255) -> torch.Tensor:
    """Split score maps into foreground, background and ignored pixels.

    SPOL (section 3.4; thresholds of section 4.2) labels the Gaussian
    enhanced CAM: 1 where ``map > fg_threshold``, 0 where
    ``map < bg_threshold`` and ``ignore_index`` (the low-confidence
    "conflict" regions) in between. With ``fg_threshold == bg_threshold``
    every pixel but the exact ties is labelled, the "w/o Threshold" ablation
    of table 4.

    Args:
        maps (torch.Tensor): score maps of any shape.
        fg_threshold (float): foreground above it (0.5 in the paper).
        bg_threshold (float): background below it (0.004 in the paper), at
            most ``fg_threshold``.
        ignore_index (int): label of the ignored pixels, in [2, 255].

    Returns:
        torch.Tensor: uint8 labels of the shape of ``maps``.
    """
    if bg_threshold > fg_threshold:
        raise ValueError(f'bg_threshold ({bg_threshold}) must not exceed '
                         f'fg_threshold ({fg_threshold})')
    if not 2 <= ignore_index <= 255:
        raise ValueError('ignore_index must be in [2, 255] (0 and 1 are the '
                         f'labels), got {ignore_index}')
    labels = torch.full_like(maps, ignore_index, dtype=torch.uint8)
    labels[maps > fg_threshold] = 1
    labels[maps < bg_threshold] = 0
    return labels
