# FSL-Det on the CAM demo's synthetic CUB data (configs/_base_/datasets/
# synthetic_cub.py: 4 classes, CUB release layout, 224x224 like
# cam_r18_demo.py): the demo detector (fsl_det_faster-rcnn_r18_fpn_demo.py)
# trained on 5 boxed images per class of train (the release has no
# train-fullsup; table 2's FSL budget for CUB), tested on the 80 test images
# the CAM demo is scored on.
#   python tools/train.py configs/fsl/fsl_det_faster-rcnn_r18_fpn_demo_cub.py
_base_ = './fsl_det_faster-rcnn_r18_fpn_demo.py'

input_size = 224
max_epochs = 24
data_root = 'data/synthetic_cub'
synthetic = dict(num_classes=4, train_per_class=60, test_per_class=20, seed=0)
dataset = dict(type='SyntheticCUB', data_root=data_root, generator=synthetic)
train_dataloader = dict(
    batch_size=4,
    dataset=dict(
        _delete_=True,
        _scope_='wsol_mm',
        type='SubsampleDataset',
        num_per_class=5,
        seed=0,
        dataset=dict(
            dataset, split='train', pipeline=[
                dict(t, scale=(input_size, input_size))
                if t['type'] == 'mmdet.Resize' else t
                for t in _base_.train_pipeline
            ])))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        _scope_='wsol_mm',
        split='test',
        pipeline=[
            dict(t, size=(input_size, input_size)) if t['type'] == 'Resize'
            else t for t in _base_.test_pipeline
        ],
        **dataset))
test_dataloader = val_dataloader
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end=20),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[16, 22], gamma=0.1)
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(checkpoint=dict(interval=max_epochs))
