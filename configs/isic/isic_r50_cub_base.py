# ISIC table 2, BASE (= table 3, lambda = 0): the MFF baseline of section 3.2
# trained with cross entropy, evaluated by its own CAMs and classes.
_base_ = './isic_r50_cub_nmf.py'

stages = dict(pseudo_masks=None)
