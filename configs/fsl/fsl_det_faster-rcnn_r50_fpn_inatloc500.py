# FSL-Det on iNatLoc500 (paper 000 table 2: MaxBoxAccV2 83.6): Faster R-CNN
# R50-FPN, ImageNet-pretrained ResNet-50, trained on train-fullsup (val split,
# 25 boxes per species), tested on test.
#   python tools/train.py configs/fsl/fsl_det_faster-rcnn_r50_fpn_inatloc500.py
_base_ = [
    '../_base_/methods/fsl_det_faster-rcnn_r50_fpn.py',
    '../_base_/datasets/inatloc500.py',
]

train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    dataset=dict(
        _scope_='wsol_mm', split='val',
        pipeline=_base_.fsl_det_train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    dataset=dict(
        _scope_='wsol_mm', split='test',
        pipeline=_base_.fsl_det_test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='DetectionWSOLMetric', _scope_='wsol_mm')
test_evaluator = val_evaluator
