# SPOL table 2, Fuse3: the last 3 ResNet-50 stages fused by concatenation.
_base_ = './spol_r50_cub_mff_only.py'

model = dict(neck=dict(num_fused=3, fusion='concat'), head=dict(in_channels=512 * 3))
