# SPOL table 4, "w/o Seg": boxes from MFF-Net_1's CAMs, classes from the
# separate classifier; no pseudo masks, no segmentation network.
_base_ = './spol_r50_cub.py'

stages = dict(
    pseudo_masks=None, seg=None, evaluate=dict(localizer='cam'))
