# FSL-Seg on iNatLoc500 (paper 000, table 2: MaxBoxAccV2 78.6): trained on
# train-fullsup (val, 25 per species, one box each) with the boxes filled into
# masks, tested on test. See _base_/methods/fsl_seg_r50.py and README.md.
_base_ = [
    '../_base_/datasets/inatloc500.py', '../_base_/methods/fsl_seg_r50.py'
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
