"""Binary cross entropy that ignores the unlabelled pixels (SPOL, Eq. 7)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from wsol_mm.registry import MODELS


@MODELS.register_module()
class MaskedBCELoss(nn.Module):
    """The segmentation loss of SPOL (Eq. 7).

    Per image ``-sum_ij w_ij [g_ij log p_ij + (1 - g_ij) log(1 - p_ij)] /
    (H W)`` with ``p = sigmoid(logits)``, ``w_ij`` 0 on ignored pixels and 1
    elsewhere; the sum is divided by all ``H W`` pixels, not by the labelled
    ones. The result is the batch mean times ``loss_weight``.

    Args:
        ignore_index (int): target value of the ignored pixels; not 0 or 1.
        loss_weight (float): factor of the loss.
    """

    def __init__(self, ignore_index: int = 255, loss_weight: float = 1.0):
        super().__init__()
        if ignore_index in (0, 1):
            raise ValueError('ignore_index must differ from the labels 0 and '
                             f'1, got {ignore_index}')
        self.ignore_index = ignore_index
        self.loss_weight = loss_weight

    def forward(self, logits: torch.Tensor,
                target: torch.Tensor) -> torch.Tensor:
        """The loss of (B, 1, H, W) or (B, H, W) ``logits`` against (B, H, W)
        ``target`` holding 0 (background), 1 (foreground) or
        ``ignore_index``."""
        if logits.dim() == 4 and logits.shape[1] == 1:
            logits = logits[:, 0]
        if logits.dim() != 3 or logits.shape != target.shape:
            raise ValueError(
                f'logits of shape {tuple(logits.shape)} do not match target '
                f'of shape {tuple(target.shape)}; expected (B, 1, H, W) or '
                '(B, H, W) logits and (B, H, W) target')
        labelled = (target == 0) | (target == 1)
        valid = labelled | (target == self.ignore_index)
        if not bool(valid.all()):
            raise ValueError(
                f'target holds {torch.unique(target[~valid]).tolist()}; '
                f'only 0, 1 and ignore_index={self.ignore_index} are allowed')
        bce = F.binary_cross_entropy_with_logits(
            logits, (target == 1).to(logits.dtype), reduction='none')
        bce = torch.where(labelled, bce, torch.zeros_like(bce))
        per_image = bce.flatten(1).sum(1) / (bce.shape[1] * bce.shape[2])
        return self.loss_weight * per_image.mean()
