# SPOL on the synthetic demo data, every stage on the CPU in a few minutes:
# the pipeline of spol_r50_cub.py with narrow ResNet-18 networks (base width
# 32) trained from scratch, 4 classes. The separate classifier is such a
# ResNet-18 too (the ResNet of _base_/models/resnet50_classifier.py), at the
# localizer's resolution: the real configs' EfficientNet-B7 at 600 px would
# take hours on a CPU.
#   python tools/train.py configs/spol/spol_r18_demo.py
_base_ = [
    './spol_r50_cub.py',
    '../_base_/models/resnet50_classifier.py',
]

data_root = 'data/synthetic_cub'
synthetic = dict(num_classes=4, train_per_class=60, test_per_class=20, seed=0)
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    dataset=dict(type='SyntheticCUB', data_root=data_root,
                 generator=synthetic))
test_dataloader = dict(
    batch_size=32,
    num_workers=2,
    dataset=dict(type='SyntheticCUB', data_root=data_root,
                 generator=synthetic))

max_epochs = 12
train_cfg = dict(max_epochs=max_epochs)
optim_wrapper = dict(
    optimizer=dict(lr=0.05, weight_decay=5e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=1.0)}))
default_hooks = dict(
    logger=dict(interval=5), checkpoint=dict(interval=4, max_keep_ckpts=1))

demo_backbone = dict(
    depth=18, base_channels=32, out_indices=(0, 1, 2, 3), init_cfg=None)
demo_neck = dict(
    in_channels=[32, 64, 128, 256], out_channels=64,
    mca=dict(latent_channels=32))
model = dict(
    backbone=demo_backbone,
    neck=demo_neck,
    head=dict(in_channels=64),
    aux_head=dict(in_channels=64))

# The classifier (from scratch) and its pipelines, which pack MMPretrain data
# samples.
demo_classifier = dict(
    _base_.classifier_model,
    backbone=dict(_base_.classifier_model.backbone, depth=18,
                  base_channels=32, init_cfg=None),
    head=dict(_base_.classifier_model.head, in_channels=256, topk=(1, )))
classifier_train_pipeline = [
    *_base_.train_pipeline[:-1], dict(type='mmpretrain.PackInputs')]
classifier_test_pipeline = [
    *_base_.test_pipeline_center_crop[:-1], dict(type='mmpretrain.PackInputs')]

stages = dict(
    seg=dict(cfg=dict(model=dict(
        backbone=demo_backbone, neck=demo_neck, head=dict(in_channels=64)))),
    classifier=dict(
        _delete_=True,
        type='TrainStage',
        cfg=dict(
            model=dict(_delete_=True, **demo_classifier),
            train_dataloader=dict(
                dataset=dict(pipeline=classifier_train_pipeline)),
            test_dataloader=dict(
                dataset=dict(pipeline=classifier_test_pipeline)),
            # top-1 only: top-5 needs 5 classes (the final stage reports
            # Top-5 Loc)
            test_evaluator=dict(
                _delete_=True, type='mmpretrain.Accuracy', topk=(1, )),
            train_cfg=dict(max_epochs=6))),
)
