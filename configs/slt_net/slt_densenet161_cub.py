# SLT-Net with a DenseNet161 regressor and classifier on CUB-200-2011
# (Table 7, PSOL / SLT-Net: 75.0 / 75.8 Top-1 Loc, 92.5 / 93.4 GT-known Loc):
# slt_r50_cub.py with MMPretrain's DenseNet161 (ImageNet weights) as the
# regressor's backbone and as the classifier
# (_base_/models/densenet161_classifier.py).
_base_ = [
    './slt_r50_cub.py',
    '../_base_/models/densenet161_classifier.py',
]

stages = dict(
    regressor=dict(cfg=dict(model=dict(
        backbone=dict(_delete_=True, **_base_.densenet161_classifier.backbone),
        head=dict(in_channels=2208),
        init_cfg=_base_.densenet161_classifier.init_cfg))),
    classifier=dict(cfg=dict(
        model=dict(_delete_=True, **_base_.densenet161_classifier))))
