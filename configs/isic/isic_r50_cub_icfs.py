# ISIC table 2, BASE + ICFS (and table 3 at lambda = 1, table 4 at
# gamma = 0.3): the MFF baseline trained with L_CE + L_ICFS, evaluated by its
# own CAMs and classes.
_base_ = './isic_r50_cub_icfs_nmf.py'

stages = dict(pseudo_masks=None)
