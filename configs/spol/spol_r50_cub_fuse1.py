# SPOL table 2, Fuse1: the last ResNet-50 stage alone (no fusion; the same
# for addition, concatenation and multiplication).
_base_ = './spol_r50_cub_mff_only.py'

model = dict(neck=dict(num_fused=1))
