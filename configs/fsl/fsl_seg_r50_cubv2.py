# FSL-Seg on CUB-200-2011 with wsolevaluation's train-fullsup. The CUB
# release has no train-fullsup split: this config reads wsolevaluation's
# metadata/CUB (val = CUBV2, about 5 images per class, 999 in all; test = the
# release's 5794 test images), with data_root = wsolevaluation's dataset/CUB
# (the class folders of both image sets) and metadata_root relative to it.
# Trained on val with the boxes filled into masks, tested on test. See
# _base_/methods/fsl_seg_r50.py and README.md.
_base_ = [
    '../_base_/datasets/wsoleval_pipelines.py',
    '../_base_/methods/fsl_seg_r50.py'
]

dataset_type = 'WSOLMetadataDataset'
data_root = 'data/CUB'
metadata_root = '../metadata/CUB'  # relative to data_root
fsl_seg_train_pipeline = [
    *_base_.train_pipeline[:-1],
    dict(type='BoxesToMask'),
    _base_.train_pipeline[-1],
]
train_dataloader = dict(
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root,
                 metadata_root=metadata_root, split='val',
                 pipeline=fsl_seg_train_pipeline))
test_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root,
                 metadata_root=metadata_root, split='test',
                 pipeline=_base_.test_pipeline))
val_dataloader = test_dataloader
