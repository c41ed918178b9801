# FSL-Det on the synthetic iNatLoc500 demo data (configs/_base_/datasets/
# synthetic_inatloc500.py: 6 species, train-fullsup = val split, 10 boxes per
# species; test 10 per species; 112x112 grid): MMDetection's Faster R-CNN
# with a narrow ResNet-18 (base width 16) trained from scratch, a few minutes
# on 2 CPU cores. Compare with the CAM demo on the same test split
# (configs/fsl/README.md).
#   python tools/train.py configs/fsl/fsl_det_faster-rcnn_r18_fpn_demo.py
_base_ = [
    '../_base_/methods/fsl_det_faster-rcnn_r50_fpn.py',
    '../_base_/datasets/synthetic_inatloc500.py',
]

input_size = 112
max_epochs = 12
base_channels = 16
fpn_channels = 64
model = dict(
    backbone=dict(
        depth=18,
        base_channels=base_channels,
        frozen_stages=-1,
        norm_eval=False,
        init_cfg=None),
    neck=dict(
        in_channels=[base_channels * 2**i for i in range(4)],
        out_channels=fpn_channels),
    rpn_head=dict(in_channels=fpn_channels, feat_channels=fpn_channels),
    roi_head=dict(
        # 2x2 samples per RoIAlign bin (mmdet: adaptive, 0): mmcv's RoIAlign
        # backward dominated a CPU step.
        bbox_roi_extractor=dict(
            roi_layer=dict(sampling_ratio=2), out_channels=fpn_channels),
        bbox_head=dict(in_channels=fpn_channels, fc_out_channels=256)),
    # Fewer proposals and sampled RoIs (mmdet: 2000 / 1000, 512 RoIs) for
    # one object in a 112x112 image.
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=500, max_per_img=300),
        rcnn=dict(sampler=dict(num=128))),
    test_cfg=dict(rpn=dict(nms_pre=500, max_per_img=300)))

# The base pipelines with the demo grid.
train_pipeline = [
    dict(t, scale=(input_size, input_size))
    if t['type'] == 'mmdet.Resize' else t
    for t in _base_.fsl_det_train_pipeline
]
test_pipeline = [
    dict(t, size=(input_size, input_size)) if t['type'] == 'Resize' else t
    for t in _base_.fsl_det_test_pipeline
]
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    dataset=dict(_scope_='wsol_mm', split='val', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=2,
    dataset=dict(_scope_='wsol_mm', split='test', pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='DetectionWSOLMetric', _scope_='wsol_mm')
test_evaluator = val_evaluator

# MMDetection's 1x recipe (12 epochs, x0.1 at epochs 8 and 11) at batch 8
# (lr 0.02 set, not scaled) with a warm-up of 50 of the 96 iterations.
optim_wrapper = dict(optimizer=dict(lr=0.02))
auto_scale_lr = dict(enable=False)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end=50),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[8, 11], gamma=0.1)
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(
    logger=dict(interval=8),
    checkpoint=dict(interval=max_epochs))
