# SLT-Net on CUB-200-2011 with InceptionV3 (Table 2: 76.4 Top-1 Cls / 66.1
# Top-1 Loc / 86.5 GT-known Loc): the stages of slt_vgg16_cub.py with the
# InceptionV3 localizer, regressor and classifier at 320 -> 299.
_base_ = [
    '../_base_/models/slt_inceptionv3.py',
    '../_base_/methods/slt_net_cub.py',
]

train_dataloader = dict(dataset=dict(pipeline=_base_.slt_train_pipeline_299))
test_dataloader = dict(dataset=dict(pipeline=_base_.slt_test_pipeline_299))
tta_pipeline = _base_.tta_pipeline_299
stages = dict(classifier=dict(cfg=dict(
    model=dict(_delete_=True, **_base_.slt_classifier),
    train_dataloader=dict(dataset=dict(
        pipeline=_base_.slt_classifier_train_pipeline_299)),
    optim_wrapper=dict(
        paramwise_cfg=dict(custom_keys=_base_.slt_classifier_lr_groups)))))
