"""Self-produced guidance (SPG, Zhang et al., ECCV 2018) as wsolevaluation
implements it (``wsol/method/spg.py``): pixel masks made from attention maps
and the binary cross entropy over their labelled pixels."""
import torch
import torch.nn.functional as F


def self_produced_mask(maps: torch.Tensor,
                       high: float,
                       low: float,
                       min_foreground: int = 30,
                       fallback_ratio: float = 0.7,
                       ignore_index: int = 255) -> torch.Tensor:
    """wsolevaluation's ``get_mask``: every pixel starts ignored
    (``ignore_index``); per image, foreground (1) where ``map > high``, or,
    when that gives fewer than ``min_foreground`` pixels, where
    ``map > fallback_ratio * max(map)``; then background (0) where
    ``map < low``, which wins over foreground.

    Args:
        maps (torch.Tensor): (B, ...) attention maps, one image per row.
        high (float): foreground threshold.
        low (float): background threshold.
        min_foreground (int): fewest foreground pixels before the fallback.
        fallback_ratio (float): fallback threshold as a fraction of the
            image's maximum.
        ignore_index (int): label of the ignored pixels, in [2, 255].

    Returns:
        torch.Tensor: uint8 labels of the shape of ``maps``.
    """
    if not 2 <= ignore_index <= 255:
        raise ValueError('ignore_index must be in [2, 255] (0 and 1 are the '
                         f'labels), got {ignore_index}')
    if maps.dim() < 2:
        raise ValueError('maps must be (B, ...) with one image per row, got '
                         f'shape {tuple(maps.shape)}')
    flat = maps.flatten(1)
    count = (flat > high).sum(1, keepdim=True)
    fallback = fallback_ratio * flat.amax(1, keepdim=True)
    threshold = torch.where(count < min_foreground, fallback,
                            torch.full_like(fallback, high))
    labels = torch.full_like(flat, ignore_index, dtype=torch.uint8)
    labels[flat > threshold] = 1
    labels[flat < low] = 0
    return labels.view(maps.shape)


def bce_over_labelled_pixels(logits: torch.Tensor, labels: torch.Tensor,
                             ignore_index: int = 255) -> torch.Tensor:
    """Binary cross entropy with logits averaged over the labelled (0 / 1)
    pixels of the whole batch, as wsolevaluation's ``loss_attention``
    (``BCEWithLogitsLoss`` on the non-ignored pixels; not a per-image mean,
    unlike SPOL's :class:`MaskedBCELoss`). A batch without labelled pixels
    gives 0 (wsolevaluation: NaN).

    Args:
        logits (torch.Tensor): logits of the shape of ``labels``.
        labels (torch.Tensor): 0, 1 or ``ignore_index`` per pixel.
        ignore_index (int): label of the ignored pixels.
    """
    if logits.shape != labels.shape:
        raise ValueError(f'logits of shape {tuple(logits.shape)} do not '
                         f'match labels of shape {tuple(labels.shape)}')
    labelled = (labels == 0) | (labels == 1)
    invalid = ~(labelled | (labels == ignore_index))
    if bool(invalid.any()):
        raise ValueError(
            f'labels hold {torch.unique(labels[invalid]).tolist()}; only '
            f'0, 1 and ignore_index={ignore_index} are allowed')
    if not bool(labelled.any()):
        return logits.sum() * 0
    return F.binary_cross_entropy_with_logits(
        logits[labelled], labels[labelled].to(logits.dtype))
