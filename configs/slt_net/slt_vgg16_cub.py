# SLT-Net (Guo et al., "Strengthen Learning Tolerance for Weakly Supervised
# Object Localization", CVPR 2021) on CUB-200-2011 with VGG16, as the paper
# trains it (Table 1: 76.6 Top-1 Cls / 67.8 Top-1 Loc / 87.6 GT-known Loc).
# Stages (tools/train.py runs them all; --resume skips the finished ones,
# --stage NAME runs one): localization (localizer + box regressor), the
# ten-crop classifier, evaluate (_base_/methods/slt_net_cub.py). What the
# paper leaves open and what we chose: configs/slt_net/README.md.
_base_ = [
    '../_base_/models/slt_vgg16.py',
    '../_base_/methods/slt_net_cub.py',
]

stages = dict(classifier=dict(cfg=dict(
    model=dict(_delete_=True, **_base_.slt_classifier),
    optim_wrapper=dict(
        paramwise_cfg=dict(custom_keys=_base_.slt_classifier_lr_groups)))))
