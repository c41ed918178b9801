# SPOL table 3, "w/o MCA Module": branches fused without channel attention.
_base_ = './spol_r50_cub_mff_only.py'

model = dict(neck=dict(mca=None))
