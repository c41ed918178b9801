# ISIC table 2, BASE + NMF: the MFF baseline trained with cross entropy only
# (no ICFS, no similarity hook, the default sampler) and its NMF masks.
_base_ = './isic_r50_cub_icfs_nmf.py'

model = dict(feature_loss=None)
stages = dict(cam=dict(cfg=dict(_delete_=True)))
