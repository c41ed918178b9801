from .distillation_loss import SoftTargetDistillLoss
from .icfs_loss import ICFSLoss, similar_class_matrix
from .masked_bce_loss import MaskedBCELoss

__all__ = [
    'MaskedBCELoss', 'ICFSLoss', 'similar_class_matrix', 'SoftTargetDistillLoss'
]
