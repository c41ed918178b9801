# SPOL table 4, "w/o Gauss Enhance": the double threshold on the plain CAMs.
_base_ = './spol_r50_cub.py'

stages = dict(pseudo_masks=dict(enhance=None))
