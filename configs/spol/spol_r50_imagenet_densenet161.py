# SPOL on ImageNet-1K with the ImageNet-pretrained DenseNet161 as the separate
# classifier, tested without training (Table 1, "SPOL ResNet50 /
# DenseNet161": 56.40 Top-1 Loc, 66.48 Top-5 Loc, 69.02 GT-known Loc).
_base_ = [
    './spol_r50_imagenet.py',
    '../_base_/models/densenet161_classifier.py',
]

stages = dict(
    classifier=dict(_delete_=True, **_base_.densenet161_stage_imagenet))
