# ISIC table 3: lambda = 0.5 in L_CE + lambda L_ICFS (Eq. 6).
_base_ = './isic_r50_cub_icfs.py'

model = dict(feature_loss=dict(loss_weight=0.5))
