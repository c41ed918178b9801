# SPOL on ImageNet-1K (ILSVRC 2012 with the wsolevaluation metadata), section
# 4.2: the CUB pipeline (class counts from the dataset) with 6 epochs per
# network.
_base_ = './spol_r50_cub.py'

data_root = 'data/ILSVRC'
# Relative to data_root (data/metadata/ILSVRC by default; data_root=X/ILSVRC
# finds X/metadata/ILSVRC, the layout of the synthetic data).
metadata_root = '../metadata/ILSVRC'
train_dataloader = dict(
    dataset=dict(_delete_=True, type='ILSVRC', data_root=data_root,
                 metadata_root=metadata_root, split='train',
                 pipeline=_base_.train_pipeline))
test_dataloader = dict(
    dataset=dict(_delete_=True, type='ILSVRC', data_root=data_root,
                 metadata_root=metadata_root, split='test',
                 pipeline=_base_.test_pipeline_center_crop))

max_epochs = 6
train_cfg = dict(max_epochs=max_epochs)
default_hooks = dict(checkpoint=dict(interval=1))

# The separate classifier of the official code on ImageNet: the
# ImageNet-pretrained EfficientNet-B7 tested at 685x685, not trained
# (_base_/models/efficientnet_b7_classifier.py).
stages = dict(
    classifier=dict(_delete_=True, **_base_.efficientnet_b7_stage_imagenet))
