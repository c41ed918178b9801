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


def cam_or_prior_labels(cam: torch.Tensor,
                        prior: torch.Tensor,
                        fg_threshold: float = 0.25,
                        bg_threshold: float = 0.01,
                        ignore_index: int = 255) -> torch.Tensor:
    """Pseudo labels of the official SPOL code from the CAM and its
    Gaussian prior kept apart (not the paper's double threshold of their
    maximum, :func:`double_threshold`): 1 where ``cam > fg_threshold`` or
    ``prior > fg_threshold``, 0 where ``cam < bg_threshold`` and the pixel
    is not foreground (the prior plays no part in the background),
    ``ignore_index`` elsewhere.

    Args:
        cam (torch.Tensor): CAM in [0, 1], any shape.
        prior (torch.Tensor): its Gaussian prior, the same shape.
        fg_threshold (float): foreground above it (0.25 in the code).
        bg_threshold (float): background below it (0.01 in the code).
        ignore_index (int): label of the ignored pixels, in [2, 255].

    Returns:
        torch.Tensor: uint8 labels of the shape of ``cam``.
    """
    if cam.shape != prior.shape:
        raise ValueError(f'cam of shape {tuple(cam.shape)} and prior of '
                         f'shape {tuple(prior.shape)} must match')
    if not 2 <= ignore_index <= 255:
        raise ValueError('ignore_index must be in [2, 255] (0 and 1 are the '
                         f'labels), got {ignore_index}')
    foreground = (cam > fg_threshold) | (prior > fg_threshold)
    labels = torch.full_like(cam, ignore_index, dtype=torch.uint8)
    labels[(cam < bg_threshold) & ~foreground] = 0
    labels[foreground] = 1
    return labels
