"""Score-map post-processing shared by every WSOL model."""
import torch
import torch.nn.functional as F


def normalize_score_maps(maps: torch.Tensor) -> torch.Tensor:
    """Min-max normalise each map over its last two dimensions.

    As in the wsolevaluation protocol, a map holding a NaN or a constant map
    becomes all zeros instead of dividing by zero.
    """
    flat = maps.flatten(-2)
    low = flat.amin(-1, keepdim=True)
    high = flat.amax(-1, keepdim=True)
    valid = (high > low) & ~torch.isnan(flat).any(-1, keepdim=True)
    span = torch.where(valid, high - low, torch.ones_like(high))
    normalized = torch.where(valid, (flat - low) / span, torch.zeros_like(flat))
    return normalized.view_as(maps)


def resize_score_maps(maps: torch.Tensor, size) -> torch.Tensor:
    """Upsample (B, K, h, w) maps to ``size`` (H, W) bicubically, like the
    protocol's ``cv2.resize(..., INTER_CUBIC)``."""
    if tuple(maps.shape[-2:]) == tuple(size):
        return maps
    return F.interpolate(
        maps, size=tuple(size), mode='bicubic', align_corners=False)
