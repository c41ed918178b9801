# Table 5, "+ L_SMT" with the ground-truth class's map (CUB: 75.7 GT-known
# Loc; ILSVRC 60.5).
_base_ = './slt_vgg16_cub_localizer.py'

model = dict(localizer=dict(test_cfg=dict(score_map='gt')), vst_loss=None)
