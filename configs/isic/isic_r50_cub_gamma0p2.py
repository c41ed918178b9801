# ISIC table 4: similar classes M_i = {j: S_ij > 0.2}.
_base_ = './isic_r50_cub_icfs.py'

stages = dict(cam=dict(cfg=dict(custom_hooks=[
    dict(type='NumClassCheckHook'),
    dict(_base_.isic_class_similarity, gamma=0.2),
])))
