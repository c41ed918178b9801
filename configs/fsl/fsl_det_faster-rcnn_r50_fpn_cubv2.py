# FSL-Det on CUB-200-2011 with wsolevaluation's own train-fullsup: Faster
# R-CNN R50-FPN, ImageNet-pretrained ResNet-50, trained on the wsolevaluation
# `val` split (CUBV2: about 5 boxes per class), tested on test.
# The CUB release has no train-fullsup, so this config reads wsolevaluation's
# metadata (WSOLMetadataDataset): data_root holds the images
# (<class>/<file>.jpg: CUB_200_2011/images plus the CUBV2 images) and
# ../metadata the split folders train/ val/ test/ of wsolevaluation's
# metadata/CUB. The synthetic data in that layout (`--layouts cub wsol`
# writes X/images and X/metadata):
#   python tools/misc/generate_synthetic_data.py X --layouts cub wsol
#   python tools/train.py configs/fsl/fsl_det_faster-rcnn_r50_fpn_cubv2.py \
#       --cfg-options data_root=X/images train_cfg.max_epochs=1
_base_ = [
    '../_base_/methods/fsl_det_faster-rcnn_r50_fpn.py',
    '../_base_/datasets/wsol_dataloaders.py',
]

data_root = 'data/CUB_200_2011/images'
metadata_root = '../metadata'  # relative to data_root
dataset = dict(
    _scope_='wsol_mm', type='WSOLMetadataDataset', data_root=data_root,
    metadata_root=metadata_root)
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    dataset=dict(
        split='val', pipeline=_base_.fsl_det_train_pipeline, **dataset))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    dataset=dict(
        split='test', pipeline=_base_.fsl_det_test_pipeline, **dataset))
test_dataloader = val_dataloader
val_evaluator = dict(type='DetectionWSOLMetric', _scope_='wsol_mm')
test_evaluator = val_evaluator
