# ISIC table 2, BASE + ICFS + NMF: the ICFS-trained MFF baseline and its NMF
# masks evaluated as boxes on the test split (classes of the baseline), no
# segmentation stage.
_base_ = './isic_r50_cub.py'

stages = dict(seg=None, classifier=None, evaluate=None)
