from .distillation_loss import SoftTargetDistillLoss
from .icfs_loss import ICFSLoss, similar_class_matrix
from .masked_bce_loss import MaskedBCELoss
from .smooth_l1_box_loss import SmoothL1BoxLoss
from .smt_loss import SMTLoss
from .vst_loss import VSTLoss

__all__ = [
    'MaskedBCELoss', 'ICFSLoss', 'similar_class_matrix',
    'SoftTargetDistillLoss', 'SMTLoss', 'SmoothL1BoxLoss', 'VSTLoss'
]
