# Table 5, "+ L_SMT + top-K ACAM", the whole SMT module (CUB: 78.9 GT-known
# Loc; ILSVRC 61.2).
_base_ = './slt_vgg16_cub_localizer.py'

model = dict(vst_loss=None)
