# FSL-Det on CUB-200-2011 (paper 000 table 2: MaxBoxAccV2 95.4): Faster R-CNN
# R50-FPN, ImageNet-pretrained ResNet-50, in the CUB release layout that
# every CUB config reads (data_root = CUB_200_2011). The release has no
# train-fullsup split: the detector trains on 5 boxed images per class drawn
# from the train split (SubsampleDataset, seed 0; table 2's FSL budget for
# CUB) and is tested on test. wsolevaluation's own train-fullsup (CUBV2,
# separate images): fsl_det_faster-rcnn_r50_fpn_cubv2.py.
#   python tools/train.py configs/fsl/fsl_det_faster-rcnn_r50_fpn_cub.py \
#       --cfg-options data_root=data/CUB_200_2011
_base_ = [
    '../_base_/methods/fsl_det_faster-rcnn_r50_fpn.py',
    '../_base_/datasets/cub.py',
]

fsl_images_per_class = 5
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    dataset=dict(
        _delete_=True,
        _scope_='wsol_mm',
        type='SubsampleDataset',
        num_per_class=fsl_images_per_class,
        seed=0,
        dataset=dict(
            type={{_base_.dataset_type}},
            data_root={{_base_.data_root}},
            split='train',
            pipeline=_base_.fsl_det_train_pipeline)))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    dataset=dict(
        _scope_='wsol_mm', split='test',
        pipeline=_base_.fsl_det_test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='DetectionWSOLMetric', _scope_='wsol_mm')
test_evaluator = val_evaluator
