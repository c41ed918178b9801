# CAM on the synthetic demo data: a narrow ResNet-18 (base width 32) trained
# from scratch at 128x128 (synthetic_cub.py), about 2 minutes on 2 CPU cores;
# evaluated like CUB, on 128x128 warps.
_base_ = [
    '../_base_/models/cam_r18_narrow.py',
    '../_base_/datasets/synthetic_cub.py',
    '../_base_/default_runtime.py',
]

max_epochs = 15
model = dict(head=dict(num_classes=4))

optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4, nesterov=True))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, end=max_epochs,
         T_max=max_epochs - 1),
]
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=16)

default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(interval=5, max_keep_ckpts=2))
