# SPOL table 2, Fuse3: the last 3 ResNet-50 stages fused by addition (Eq. 3).
_base_ = './spol_r50_cub_mff_only.py'

model = dict(neck=dict(num_fused=3, fusion='add'))
