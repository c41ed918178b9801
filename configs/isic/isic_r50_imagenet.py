# ISIC on ImageNet-1K (section 4.1): the ImageNet SPOL pipeline
# (configs/spol/spol_r50_imagenet.py) with ISIC's stages, 5 epochs per
# network, constant lr 0.02.
_base_ = ['../spol/spol_r50_imagenet.py', '../_base_/methods/isic.py']

optim_wrapper = _base_.isic_optim_wrapper
model = _base_.isic_model
stages = _base_.isic_stages
max_epochs = 5
train_cfg = dict(max_epochs=max_epochs)
