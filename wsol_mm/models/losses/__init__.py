from .distillation_loss import SoftTargetDistillLoss
from .icfs_loss import ICFSLoss, similar_class_matrix
from .masked_bce_loss import MaskedBCELoss
from .smt_loss import SMTLoss

__all__ = [
    'MaskedBCELoss', 'ICFSLoss', 'similar_class_matrix', 'SoftTargetDistillLoss',
    'SMTLoss'
]
