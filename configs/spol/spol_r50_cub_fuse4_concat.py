# SPOL table 2, Fuse4: the last 4 ResNet-50 stages fused by concatenation.
_base_ = './spol_r50_cub_mff_only.py'

model = dict(neck=dict(num_fused=4, fusion='concat'), head=dict(in_channels=512 * 4))
