# SLT-Net with a ResNet-50 regressor and classifier on ILSVRC 2012 (Table 7,
# PSOL / SLT-Net: 54.0 / 56.2 Top-1 Loc, 65.4 / 68.5 GT-known Loc): the
# InceptionV3 localizer's boxes (the paper's choice for ILSVRC, 320 -> 299),
# then the PSOL-style stages at 256 -> 224 (_base_/methods/
# slt_net_staged_cub.py) with the ILSVRC changes (alpha 0.2, K 100, 2 epochs,
# the ImageNet ResNet-50 classifier as it is, ten crops).
_base_ = [
    '../_base_/models/slt_inceptionv3.py',
    '../_base_/models/resnet50_classifier.py',
    '../_base_/methods/slt_net_staged_cub.py',
]

data_root = 'data/ILSVRC'
train_dataloader = dict(dataset=dict(
    _base_.slt_ilsvrc_dataset, data_root=data_root, proxy=False,
    pipeline=_base_.slt_train_pipeline_299))
test_dataloader = dict(dataset=dict(
    _base_.slt_ilsvrc_dataset, data_root=data_root,
    pipeline=_base_.slt_test_pipeline_299))
model = _base_.slt_ilsvrc_model
train_cfg = dict(max_epochs=2)
stages = dict(
    regressor=dict(cfg=dict(model=dict(
        backbone=dict(_base_.classifier_model.backbone, out_indices=(3, )),
        head=dict(in_channels=2048)))),
    classifier=dict(
        train=False,
        cfg=dict(model=dict(
            _delete_=True,
            **dict(_base_.classifier_model,
                   head=dict(_base_.classifier_model.head,
                             num_classes=1000))))))
