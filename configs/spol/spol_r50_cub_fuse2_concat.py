# SPOL table 2, Fuse2: the last 2 ResNet-50 stages fused by concatenation.
_base_ = './spol_r50_cub_mff_only.py'

model = dict(neck=dict(num_fused=2, fusion='concat'), head=dict(in_channels=512 * 2))
