# ISIC table 4: similar classes M_i = {j: S_ij > 0.2}.
_base_ = './isic_r50_cub_icfs.py'

stages = dict(cam=dict(cfg=dict(custom_hooks=[
    dict(type='NumClassCheckHook'),
    dict(type='ClassSimilarityHook', gamma=0.2),
])))
