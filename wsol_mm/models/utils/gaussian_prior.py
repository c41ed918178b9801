"""Gaussian prior pseudo label (GPPL) of SPOL (Wei et al., CVPR 2021, 3.4).
"""
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


def gaussian_prior_maps(cams: torch.Tensor,
                        fg_threshold: float = 0.7,
                        min_var: float = 1.0,
                        eps: float = 1e-6) -> torch.Tensor:
    """The Gaussian prior pseudo label of each CAM (Eq. 5-6), peak 1.

    The weights are the CAM values above ``fg_threshold`` (0 elsewhere; 0.7
    in the paper, section 4.2). The Gaussian of Eq. 6 is divided by its peak
    ``1 / (2 pi sigma_x sigma_y sqrt(1 - rho^2))``, giving
    ``exp(-Theta / (2 (1 - rho^2)))`` with Theta of Eq. 5, comparable with a
    [0, 1] CAM. Degenerate cases: an image with no value above the threshold
    gets an all-zero prior; variances are clamped to at least ``min_var``
    (pixel^2) and ``|rho|`` to at most ``1 - eps``.

    Args:
        cams (torch.Tensor): (B, H, W) class activation maps.
        fg_threshold (float): CAM values above it are the weights.
        min_var (float): lower bound of the variances, positive.
        eps (float): ``|rho| <= 1 - eps``, in (0, 1).

    Returns:
        torch.Tensor: (B, H, W) priors in [0, 1].
    """
    _check_batch_of_maps(cams, 'cams')
    if min_var <= 0:
        raise ValueError(f'min_var must be positive, got {min_var}')
    if not 0 < eps < 1:
        raise ValueError(f'eps must be in (0, 1), got {eps}')
    cams = _at_least_float32(cams)
    weights = torch.where(cams > fg_threshold, cams, torch.zeros_like(cams))
    moments = weighted_moments(weights)
    var_x = moments['var_x'].clamp(min=min_var)[:, None, None]
    var_y = moments['var_y'].clamp(min=min_var)[:, None, None]
    rho = moments['rho'].clamp(-1 + eps, 1 - eps)[:, None, None]
    dx, dy = _offsets(cams, moments['mean_x'], moments['mean_y'])
    theta = (dx**2 / var_x - 2 * rho * dx * dy / (var_x * var_y).sqrt() +
             dy**2 / var_y)
    prior = torch.exp(-theta / (2 * (1 - rho**2)))
    has_foreground = (weights.sum((1, 2)) > 0)[:, None, None]
    return torch.where(has_foreground, prior, torch.zeros_like(prior))


@MODELS.register_module()
class GaussianPriorEnhance(nn.Module):
    """The Gaussian enhanced CAM of SPOL: the element-wise maximum of each
    CAM and its Gaussian prior pseudo label (section 3.4, Fig. 2 (d)).

    Args:
        fg_threshold (float): CAM values above it weight the Gaussian's
            moments (0.7 in the paper).
    """

    def __init__(self, fg_threshold: float = 0.7):
        super().__init__()
        self.fg_threshold = fg_threshold

    def forward(self, cams: torch.Tensor) -> torch.Tensor:
        """(B, H, W) CAMs in [0, 1] -> (B, H, W) enhanced CAMs in [0, 1]."""
        return torch.maximum(
            cams, gaussian_prior_maps(cams, self.fg_threshold).to(cams))

    def extra_repr(self) -> str:
        return f'fg_threshold={self.fg_threshold}'
