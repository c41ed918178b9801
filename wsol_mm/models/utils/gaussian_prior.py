"""Gaussian prior pseudo label (GPPL) of SPOL (Wei et al., CVPR 2021, 3.4).
"""
from typing import List, Optional, Sequence

import cv2
import numpy as np
import torch
import torch.nn as nn

from wsol_mm.registry import MODELS


def _check_batch_of_maps(maps: torch.Tensor, name: str) -> None:
    if maps.dim() != 3:
        raise ValueError(f'{name} must be (B, H, W), got shape '
                         f'{tuple(maps.shape)}')


def _at_least_float32(maps: torch.Tensor) -> torch.Tensor:
    # Squared pixel coordinates overflow half precision on large maps.
    return maps.to(torch.promote_types(maps.dtype, torch.float32))


def _offsets(maps: torch.Tensor, mean_x: torch.Tensor,
             mean_y: torch.Tensor) -> tuple:
    """Pixel coordinates of (B, H, W) ``maps`` minus per-image (B,) means:
    ``(x - mean_x)`` of shape (B, 1, W), ``(y - mean_y)`` of shape (B, H, 1).
    """
    _, height, width = maps.shape
    xs = torch.arange(width, dtype=maps.dtype, device=maps.device)
    ys = torch.arange(height, dtype=maps.dtype, device=maps.device)
    return (xs - mean_x[:, None, None], ys[:, None] - mean_y[:, None, None])


def weighted_moments(weights: torch.Tensor) -> dict:
    """Weighted first and second moments of the pixel coordinates.

    Every pixel ``(x, y)`` (x the column, y the row index) is a sample of
    weight ``weights[b, y, x]``. Variances and the covariance are population
    moments (divided by the weight sum). An image whose weights sum to zero
    gets NaN means and variances; ``rho`` is 0 where a variance is 0 or NaN
    (the covariance is then 0 too) and is clamped to [-1, 1] against
    rounding.

    Args:
        weights (torch.Tensor): (B, H, W) non-negative weights.

    Returns:
        dict: ``mean_x``, ``mean_y``, ``var_x``, ``var_y`` and ``rho`` (the
        correlation coefficient cov / (sigma_x sigma_y)), each (B,).
    """
    _check_batch_of_maps(weights, 'weights')
    weights = _at_least_float32(weights)
    if bool((weights < 0).any()):
        raise ValueError('weights must be non-negative, got a minimum of '
                         f'{float(weights.min())}')
    zeros = weights.new_zeros(weights.shape[0])
    xs, ys = _offsets(weights, zeros, zeros)  # the coordinates themselves
    total = weights.sum((1, 2))
    mean_x = (weights * xs).sum((1, 2)) / total
    mean_y = (weights * ys).sum((1, 2)) / total
    dx, dy = _offsets(weights, mean_x, mean_y)
    var_x = (weights * dx**2).sum((1, 2)) / total
    var_y = (weights * dy**2).sum((1, 2)) / total
    cov = (weights * dx * dy).sum((1, 2)) / total
    sigma_xy = (var_x * var_y).sqrt()
    rho = torch.where(sigma_xy > 0, cov / sigma_xy.clamp(min=1e-30),
                      torch.zeros_like(cov)).clamp(-1, 1)
    return dict(mean_x=mean_x, mean_y=mean_y, var_x=var_x, var_y=var_y,
                rho=rho)


def contour_regions(support: np.ndarray,
                    min_area: float = 20.) -> List[np.ndarray]:
    """The filled region of every contour of a binary map, as the official
    SPOL code finds them: ``cv2.findContours`` in ``RETR_TREE`` mode (the
    holes of a region are contours too), contours of ``cv2.contourArea``
    below ``min_area`` dropped, each remaining one filled
    (``cv2.drawContours`` with ``thickness=-1``: its boundary pixels and
    everything it encloses, nested contours included).

    Args:
        support (np.ndarray): (H, W) map; its non-zero pixels are the
            region.
        min_area (float): smallest contour area kept (pixel^2).

    Returns:
        list[np.ndarray]: one (H, W) bool mask per kept contour, in OpenCV's
        order.
    """
    binary = np.ascontiguousarray(support != 0, dtype=np.uint8) * 255
    # OpenCV 3 returns (image, contours, hierarchy), OpenCV 4 (contours,
    # hierarchy): the contours are second to last in both.
    contours = cv2.findContours(binary, cv2.RETR_TREE,
                                cv2.CHAIN_APPROX_SIMPLE)[-2]
    regions = []
    for i, contour in enumerate(contours):
        if cv2.contourArea(contour) < min_area:
            continue
        filled = np.zeros(binary.shape, dtype=np.uint8)
        cv2.drawContours(filled, contours, i, color=1, thickness=-1)
        regions.append(filled.astype(bool))
    return regions


def _gaussians(shape_of: torch.Tensor, moments: dict, min_var: float,
               eps: float, var_scale: float) -> torch.Tensor:
    """(N, H, W) Gaussians of Eq. 6 over their peak, one per entry of the
    (N,) ``moments``, on the pixel grid of (N, H, W) ``shape_of``."""
    var_x = moments['var_x'].clamp(min=min_var)[:, None, None] * var_scale
    var_y = moments['var_y'].clamp(min=min_var)[:, None, None] * var_scale
    rho = moments['rho'].clamp(-1 + eps, 1 - eps)[:, None, None]
    dx, dy = _offsets(shape_of, moments['mean_x'], moments['mean_y'])
    theta = (dx**2 / var_x - 2 * rho * dx * dy / (var_x * var_y).sqrt() +
             dy**2 / var_y)
    return torch.exp(-theta / (2 * (1 - rho**2)))


def _check_prior_options(weight_range: Optional[Sequence[float]],
                         var_scale: float) -> None:
    if weight_range is not None and (
            len(weight_range) != 2 or weight_range[0] > weight_range[1]):
        raise ValueError('weight_range must be (low, high) with low <= '
                         f'high, got {weight_range}')
    if var_scale <= 0:
        raise ValueError(f'var_scale must be positive, got {var_scale}')


def gaussian_prior_maps(cams: torch.Tensor,
                        fg_threshold: float = 0.7,
                        min_var: float = 1.0,
                        eps: float = 1e-6,
                        weight_range: Optional[Sequence[float]] = None,
                        per_contour: bool = False,
                        min_contour_area: float = 20.,
                        var_scale: float = 1.0) -> torch.Tensor:
    """The Gaussian prior pseudo label of each CAM (Eq. 5-6), peak 1.

    The weights are the CAM values above ``fg_threshold`` (0 elsewhere; 0.7
    in the paper, section 4.2), or with ``weight_range=(low, high)`` the
    values in ``[low, high]``. The Gaussian of Eq. 6 is divided by its peak
    ``1 / (2 pi sigma_x sigma_y sqrt(1 - rho^2))``, giving
    ``exp(-Theta / (2 (1 - rho^2)))`` with Theta of Eq. 5, comparable with a
    [0, 1] CAM. Degenerate cases: an image with no weight gets an all-zero
    prior; variances are clamped to at least ``min_var`` (pixel^2) before
    the scaling and ``|rho|`` to at most ``1 - eps``.

    The paper fits one Gaussian per image (the default). The official code
    (``weight_range=(0.1, 0.5), per_contour=True, var_scale=0.1``) fits one
    per contour of the weighted region (:func:`contour_regions`, area at
    least ``min_contour_area``), each from the weights inside the filled
    contour, multiplies the variances and the covariance by 0.1 (``rho``
    unchanged) and takes the element-wise maximum of the Gaussians; no
    such contour gives an all-zero prior.

    Args:
        cams (torch.Tensor): (B, H, W) class activation maps.
        fg_threshold (float): CAM values above it are the weights.
        min_var (float): lower bound of the variances, positive.
        eps (float): ``|rho| <= 1 - eps``, in (0, 1).
        weight_range (tuple[float, float], optional): CAM values in this
            closed range are the weights (``fg_threshold`` is then unused).
        per_contour (bool): one Gaussian per contour of the weights.
        min_contour_area (float): smallest contour kept with
            ``per_contour``.
        var_scale (float): factor of the variances and the covariance.

    Returns:
        torch.Tensor: (B, H, W) priors in [0, 1].
    """
    _check_batch_of_maps(cams, 'cams')
    if min_var <= 0:
        raise ValueError(f'min_var must be positive, got {min_var}')
    if not 0 < eps < 1:
        raise ValueError(f'eps must be in (0, 1), got {eps}')
    _check_prior_options(weight_range, var_scale)
    cams = _at_least_float32(cams)
    if weight_range is None:
        keep = cams > fg_threshold
    else:
        keep = (cams >= weight_range[0]) & (cams <= weight_range[1])
    weights = torch.where(keep, cams, torch.zeros_like(cams))
    if not per_contour:
        prior = _gaussians(cams, weighted_moments(weights), min_var, eps,
                           var_scale)
        has_weight = (weights.sum((1, 2)) > 0)[:, None, None]
        return torch.where(has_weight, prior, torch.zeros_like(prior))
    priors = torch.zeros_like(cams)
    for b, image_weights in enumerate(weights):
        regions = contour_regions(image_weights.cpu().numpy(),
                                  min_contour_area)
        if not regions:
            continue
        masks = torch.from_numpy(np.stack(regions)).to(cams.device)
        region_weights = torch.where(masks, image_weights[None],
                                     torch.zeros_like(image_weights[None]))
        gaussians = _gaussians(region_weights,
                               weighted_moments(region_weights), min_var,
                               eps, var_scale)
        # A filled contour holds its boundary pixels, which have weight.
        priors[b] = gaussians.amax(dim=0)
    return priors


@MODELS.register_module()
class GaussianPriorEnhance(nn.Module):
    """The Gaussian enhanced CAM of SPOL: the element-wise maximum of each
    CAM and its Gaussian prior pseudo label (section 3.4, Fig. 2 (d)).

    The arguments are those of :func:`gaussian_prior_maps`; the paper's
    prior is the default, the official code's is ``weight_range=(0.1, 0.5),
    per_contour=True, var_scale=0.1``.

    Args:
        fg_threshold (float): CAM values above it weight the Gaussian's
            moments (0.7 in the paper).
        weight_range (tuple[float, float], optional): CAM values in this
            closed range are the weights instead.
        per_contour (bool): one Gaussian per contour of the weights.
        min_contour_area (float): smallest contour kept with
            ``per_contour``.
        var_scale (float): factor of the variances and the covariance.
    """

    def __init__(self,
                 fg_threshold: float = 0.7,
                 weight_range: Optional[Sequence[float]] = None,
                 per_contour: bool = False,
                 min_contour_area: float = 20.,
                 var_scale: float = 1.0):
        super().__init__()
        _check_prior_options(weight_range, var_scale)
        self.options = dict(
            fg_threshold=fg_threshold,
            weight_range=None if weight_range is None else tuple(weight_range),
            per_contour=per_contour,
            min_contour_area=min_contour_area,
            var_scale=var_scale)

    @property
    def fg_threshold(self) -> float:
        return self.options['fg_threshold']

    def prior(self, cams: torch.Tensor) -> torch.Tensor:
        """(B, H, W) CAMs in [0, 1] -> their (B, H, W) Gaussian priors."""
        return gaussian_prior_maps(cams, **self.options).to(cams)

    def forward(self, cams: torch.Tensor) -> torch.Tensor:
        """(B, H, W) CAMs in [0, 1] -> (B, H, W) enhanced CAMs in [0, 1]."""
        return torch.maximum(cams, self.prior(cams))

    def extra_repr(self) -> str:
        return ', '.join(f'{k}={v}' for k, v in self.options.items())
