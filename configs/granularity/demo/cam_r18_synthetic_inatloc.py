# One run of the demo study (granularity_demo.py): the demo CAM (narrow
# ResNet-18 from scratch) on the synthetic iNatLoc500 data at 112x112, a
# short schedule. The study sets the level, the learning rate, the subset and
# the seed of each run; alone it trains at the species level:
#   python tools/train.py configs/granularity/demo/cam_r18_synthetic_inatloc.py
_base_ = [
    '../../_base_/models/cam_r18_narrow.py',
    '../../_base_/datasets/synthetic_inatloc500.py',
    '../../_base_/default_runtime.py',
]

max_epochs = 6
optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4, nesterov=True))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, end=max_epochs,
         T_max=max_epochs - 1),
]
# The study evaluates the last checkpoint on val (train-fullsup) and test.
train_cfg = dict(by_epoch=True, max_epochs=max_epochs,
                 val_interval=max_epochs)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=16)
default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
