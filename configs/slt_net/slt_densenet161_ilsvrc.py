# SLT-Net with a DenseNet161 regressor and classifier on ILSVRC 2012 (Table
# 7, PSOL / SLT-Net: 55.3 / 57.1 Top-1 Loc, 66.3 / 69.0 GT-known Loc):
# slt_r50_ilsvrc.py with MMPretrain's DenseNet161 (ImageNet weights) as the
# regressor's backbone and, as it is, the classifier.
_base_ = [
    './slt_r50_ilsvrc.py',
    '../_base_/models/densenet161_classifier.py',
]

stages = dict(
    regressor=dict(cfg=dict(model=dict(
        backbone=dict(_delete_=True, **_base_.densenet161_classifier.backbone),
        head=dict(in_channels=2208),
        init_cfg=_base_.densenet161_classifier.init_cfg))),
    classifier=dict(cfg=dict(
        model=_base_.densenet161_stage_imagenet.cfg.model)))
