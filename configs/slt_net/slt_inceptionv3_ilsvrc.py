# SLT-Net on ILSVRC 2012 with InceptionV3 (Table 4: 78.1 Top-1 Cls / 55.7
# Top-1 Loc / 65.4 Top-5 Loc / 67.6 GT-known Loc): slt_inceptionv3_cub.py
# with the ILSVRC changes of _base_/methods/slt_net_cub.py.
_base_ = './slt_inceptionv3_cub.py'

data_root = 'data/ILSVRC'
train_dataloader = dict(dataset=dict(
    _base_.slt_ilsvrc_dataset, data_root=data_root, proxy=False))
test_dataloader = dict(dataset=dict(
    _base_.slt_ilsvrc_dataset, data_root=data_root))
model = _base_.slt_ilsvrc_model
train_cfg = dict(max_epochs=2)
stages = _base_.slt_ilsvrc_stages
