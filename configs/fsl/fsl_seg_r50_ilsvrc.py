# FSL-Seg on ImageNet (paper 000, table 2: MaxBoxAccV2 68.7): trained on
# train-fullsup (val = ImageNetV2, 10 per class; every box of an image filled
# into its mask), tested on test (ImageNet "val"). See
# _base_/methods/fsl_seg_r50.py.
_base_ = [
    '../_base_/datasets/ilsvrc.py', '../_base_/methods/fsl_seg_r50.py'
]

fsl_seg_train_pipeline = [
    *_base_.train_pipeline[:-1],
    dict(type='BoxesToMask'),
    _base_.train_pipeline[-1],
]
train_dataloader = dict(
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(split='val', pipeline=fsl_seg_train_pipeline))
val_dataloader = _base_.test_dataloader
val_evaluator = _base_.test_evaluator
