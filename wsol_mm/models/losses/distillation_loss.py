"""Cross entropy against a detached teacher's softmax (official SPOL code)."""
import torch
import torch.nn as nn

from wsol_mm.registry import MODELS


@MODELS.register_module()
class SoftTargetDistillLoss(nn.Module):
    """Self-distillation of the official SPOL code (CUB CAM training): the
    student's logits are trained towards the softmax of the teacher's,
    ``-mean_b sum_k softmax(t_b)_k log softmax(s_b)_k`` times
    ``loss_weight``. The teacher's logits are detached: no gradient reaches
    the teacher through its target (the paper's text has plain CE on both
    branches instead, section 3.5).

    Args:
        loss_weight (float): factor of the loss.
    """

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, student_logits: torch.Tensor,
                teacher_logits: torch.Tensor) -> torch.Tensor:
        """The loss of (B, K) ``student_logits`` against the (B, K)
        ``teacher_logits``."""
        if student_logits.dim() != 2 or \
                student_logits.shape != teacher_logits.shape:
            raise ValueError(
                f'student logits of shape {tuple(student_logits.shape)} and '
                f'teacher logits of shape {tuple(teacher_logits.shape)}: '
                'both must be the same (B, K)')
        target = teacher_logits.detach().softmax(dim=1)
        log_probs = student_logits.log_softmax(dim=1)
        return -(target * log_probs).sum(dim=1).mean() * self.loss_weight
