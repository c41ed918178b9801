# FSL-Seg on the synthetic iNatLoc500 demo data (CPU, a few minutes): the
# class-agnostic segmentor on a narrow ResNet-18 (base width 32) from
# scratch, trained on train-fullsup (val, 10 images per species, 60 in all)
# with the boxes filled into masks (BoxesToMask after the crop and the flip),
# tested on test (60 images) at the end of training. Not a paper recipe:
# fsl_seg_r50_<dataset>.py are.
#
#   python tools/train.py configs/fsl/fsl_seg_r18_demo.py
_base_ = [
    '../_base_/datasets/synthetic_inatloc500.py',
    '../_base_/methods/fsl_seg_r50.py',
]

max_iters = 150
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.ResNet',
        depth=18,
        base_channels=32,
        # the CAM demo's network: stride 16, 7x7 maps at 112x112.
        strides=(1, 2, 2, 1),
        out_indices=(3, ),
        init_cfg=None),
    head=dict(in_channels=256))

fsl_seg_train_pipeline = [
    *_base_.demo_train_pipeline[:-1],
    dict(type='BoxesToMask'),
    _base_.demo_train_pipeline[-1],
]
train_dataloader = dict(
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(split='val', pipeline=fsl_seg_train_pipeline))
val_dataloader = _base_.test_dataloader
val_evaluator = _base_.test_evaluator

optim_wrapper = dict(
    optimizer=dict(lr=0.05, weight_decay=5e-4), paramwise_cfg=None)
param_scheduler = dict(end=max_iters)
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
auto_scale_lr = dict(base_batch_size=16)
default_hooks = dict(
    logger=dict(interval=25),
    checkpoint=dict(interval=max_iters, max_keep_ckpts=1))
