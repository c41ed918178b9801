"""SLT-Net's regression loss (Eqs. 3-4): smooth L1 summed over the box."""
import torch
import torch.nn as nn

from wsol_mm.registry import MODELS


@MODELS.register_module()
class SmoothL1BoxLoss(nn.Module):
    """``L_REG(p, p_hat) = sum_{i=1..4} smooth_L1(p_i - p_hat_i)`` (Eq. 3)
    with ``smooth_L1(x) = 0.5 x^2`` if ``|x| < 1`` else ``|x| - 0.5``
    (Eq. 4, Fast R-CNN's form, beta = 1).

    The sum over the four coordinates is the paper's; the reduction over the
    images is not stated: the batch mean, times ``loss_weight``.

    Args:
        loss_weight (float): factor of the loss (1: Eq. 1 weighs L_REG 1).
    """

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, pred: torch.Tensor,
                target: torch.Tensor) -> torch.Tensor:
        """The loss of (B, 4) predicted boxes against (B, 4) targets (in
        the same normalised units)."""
        if pred.dim() != 2 or pred.shape[1] != 4 or \
                pred.shape != target.shape:
            raise ValueError(
                f'pred of shape {tuple(pred.shape)} and target of shape '
                f'{tuple(target.shape)} must both be (B, 4) boxes')
        per_image = nn.functional.smooth_l1_loss(
            pred, target.to(pred.dtype), reduction='none', beta=1.0).sum(1)
        return self.loss_weight * per_image.mean()
