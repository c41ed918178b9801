# SPOL on CUB-200-2011 with the separate classifier that the paper names,
# DenseNet161 (Table 1, "SPOL ResNet50 / DenseNet161": 79.74 Top-1 Loc,
# 93.69 Top-5 Loc, 96.46 GT-known Loc); the recipe of
# _base_/models/densenet161_classifier.py.
_base_ = [
    './spol_r50_cub.py',
    '../_base_/models/densenet161_classifier.py',
]

stages = dict(classifier=dict(_delete_=True, **_base_.densenet161_stage_cub))
