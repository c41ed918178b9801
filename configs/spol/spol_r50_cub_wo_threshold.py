# SPOL table 4, "w/o Threshold": one threshold (0.5) on the enhanced CAMs,
# every pixel labelled (no ignored conflict region).
_base_ = './spol_r50_cub.py'

stages = dict(pseudo_masks=dict(bg_threshold=0.5))
