# ISIC ("Inter-class Feature Similarity and Intra-class Appearance
# Consistency" for WSOL) on CUB-200-2011: the SPOL pipeline of
# configs/spol/spol_r50_cub.py (resize 256 + random crop 224 + flip, centre
# crop 224 at test, 32 epochs per network, the separate classifier and the
# final evaluation) with the stages of _base_/methods/isic.py: ICFS-trained
# MFF baseline, NMF pseudo masks, class-agnostic segmentation.
#   python tools/train.py configs/isic/isic_r50_cub.py
_base_ = ['../spol/spol_r50_cub.py', '../_base_/methods/isic.py']

optim_wrapper = _base_.isic_optim_wrapper
model = _base_.isic_model
stages = _base_.isic_stages
