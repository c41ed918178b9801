# SPOL tables 2-3: MFF-Net alone (the `cam` stage), evaluated by its own CAMs
# and classes; the base of the fusion / MCA / auxiliary-loss ablations.
_base_ = './spol_r50_cub.py'

stages = dict(pseudo_masks=None, seg=None, classifier=None, evaluate=None)
