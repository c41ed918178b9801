"""SLT-Net's similarity-tolerant cross entropy (Guo et al., CVPR 2021,
Eq. 8)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from wsol_mm.registry import MODELS


def gt_in_topk(logits: torch.Tensor, target: torch.Tensor,
               k: int) -> torch.Tensor:
    """(B,) bool: the ground-truth class of each row is among the ``k``
    highest scores. The ground truth counts as one of the ``k``; a class
    tied with it does not push it out (rank = classes scoring strictly
    higher)."""
    gt_scores = logits.gather(1, target[:, None])
    rank = (logits > gt_scores).sum(dim=1)
    return rank < k


@MODELS.register_module()
class SMTLoss(nn.Module):
    """``L_SMT`` of SLT-Net (Eq. 8): per image, ``alpha * CE`` when the
    ground-truth class is among the top-``topk`` classes of the localizer's
    own scores, plain ``CE`` otherwise; the batch mean times
    ``loss_weight``.

    Down-weighting images that are already classified "well enough"
    tolerates similar classes and keeps the localizer from sharpening on
    the most discriminative part. The indicator carries no gradient.
    ``topk=1, alpha=1`` is plain cross entropy. The paper's values: CUB
    ``alpha=0.4, topk=30``; ILSVRC ``alpha=0.2, topk=100``.

    Args:
        alpha (float): factor of the images whose class is in the top-K,
            in [0, 1].
        topk (int): K, at least 1.
        loss_weight (float): factor of the loss.
    """

    def __init__(self, alpha: float = 0.4, topk: int = 30,
                 loss_weight: float = 1.0):
        super().__init__()
        if not 0 <= alpha <= 1:
            raise ValueError(f'alpha must be in [0, 1], got {alpha}')
        if int(topk) != topk or topk < 1:
            raise ValueError(f'topk must be a positive integer, got {topk}')
        self.alpha = float(alpha)
        self.topk = int(topk)
        self.loss_weight = loss_weight

    def forward(self, logits: torch.Tensor,
                target: torch.Tensor) -> torch.Tensor:
        """The loss of (B, C) ``logits`` against (B,) class indices."""
        if target.is_floating_point() or target.dim() != 1:
            raise ValueError(
                'SMTLoss needs hard labels of shape (B,), got a '
                f'{target.dtype} target of shape {tuple(target.shape)} '
                '(soft targets, e.g. of CutMix, have no top-K rule)')
        if logits.dim() != 2 or len(logits) != len(target):
            raise ValueError(f'logits of shape {tuple(logits.shape)} do not '
                             f'match {len(target)} labels')
        cross_entropy = F.cross_entropy(logits, target, reduction='none')
        with torch.no_grad():
            factor = torch.where(
                gt_in_topk(logits, target, self.topk),
                logits.new_tensor(self.alpha), logits.new_tensor(1.))
        return self.loss_weight * (factor * cross_entropy).mean()

    def extra_repr(self) -> str:
        return f'alpha={self.alpha}, topk={self.topk}'
