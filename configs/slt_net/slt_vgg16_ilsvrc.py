# SLT-Net on ILSVRC 2012 with VGG16 (Table 3: 72.4 Top-1 Cls / 51.2 Top-1
# Loc / 62.4 Top-5 Loc / 67.2 GT-known Loc): slt_vgg16_cub.py with the
# ILSVRC changes of _base_/methods/slt_net_cub.py.
_base_ = './slt_vgg16_cub.py'

data_root = 'data/ILSVRC'
train_dataloader = dict(dataset=dict(
    _base_.slt_ilsvrc_dataset, data_root=data_root, proxy=False))
test_dataloader = dict(dataset=dict(
    _base_.slt_ilsvrc_dataset, data_root=data_root))
model = _base_.slt_ilsvrc_model
train_cfg = dict(max_epochs=2)
stages = _base_.slt_ilsvrc_stages
