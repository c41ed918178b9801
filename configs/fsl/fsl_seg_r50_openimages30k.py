# FSL-Seg on OpenImages30k (paper 000, table 2: PxAP 75.2). Its
# train-fullsup split (val, 25 per class) has instance masks, so the network
# is trained on the masks themselves (not on boxes): LoadWSOLMask builds the
# union of the instances (ignore region 255, left out of the loss) and
# mmcv's KeyMapper stores it as pseudo_mask, the key the segmentor trains
# on, right after the image loading (the geometric transforms then move it
# with the image). Tested on test (PxAP and the box metrics of the boxes
# derived from the masks). See _base_/methods/fsl_seg_r50.py and README.md.
_base_ = [
    '../_base_/datasets/openimages30k.py', '../_base_/methods/fsl_seg_r50.py'
]

fsl_seg_train_pipeline = [
    _base_.train_pipeline[0],
    dict(type='KeyMapper',
         transforms=[dict(type='LoadWSOLMask', derive_boxes=False)],
         remapping=dict(gt_mask='pseudo_mask')),
    *_base_.train_pipeline[1:],
]
train_dataloader = dict(
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(split='val', pipeline=fsl_seg_train_pipeline))
val_dataloader = _base_.test_dataloader
val_evaluator = _base_.test_evaluator
