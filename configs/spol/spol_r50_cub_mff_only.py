# SPOL tables 2-3: MFF-Net alone (the `cam` stage), its CAM boxes scored with
# the separate classifier's classes: table 3's "MFF-Net (Our)" row
# (75.82 / 89.13 / 92.25) is table 4's "w/o Seg" row, so this is the
# pipeline of spol_r50_cub_wo_seg.py. The base of the fusion (table 2, which
# reports GT-known Loc only: the classes do not change it), MCA and
# auxiliary-loss (table 3) ablations.
_base_ = './spol_r50_cub_wo_seg.py'
