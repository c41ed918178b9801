# SLT-Net's localization branch on VGG16 (sections 3.1-3.3 and 4.1) in the
# joint mode the paper trains: localizer and box regressor updated in the
# same iterations (the parts: slt_net.py).
#   localizer  the VGG16-GAP CAM of the model zoo (cam_vgg16.py: VGG16 with
#              pool5 and the fc layers replaced by conv6 + GAP, 14x14 maps at
#              224), trained with SMT + VST, localizing with the top-K ACAM
#   regressor  the same VGG16 (torchvision weights) without conv6 (512
#              channels) + the box head
# The separate classifier (a stage of the configs): slt_classifier,
# MMPretrain's VGG16 with ImageNet weights (fc6 / fc7 / fc8 live in its
# backbone; on CUB fc8 gets the dataset's class count and MMEngine reports
# the size mismatch and keeps its initialisation).
_base_ = ['./cam_vgg16.py', './slt_net.py']

model = dict(
    _delete_=True,
    **_base_.slt_model,
    data_preprocessor=_base_.model.data_preprocessor,
    localizer=dict(
        _base_.model,
        head=dict(_base_.model.head, loss=_base_.slt_smt_loss),
        test_cfg=_base_.slt_localizer_test),
    regressor=dict(
        _base_.slt_regressor,
        backbone=dict(_base_.model.backbone, with_conv6=False),
        head=dict(_base_.slt_regressor.head, in_channels=512)))
# No lr groups: the paper trains every parameter at one lr.
lr_groups = {'_delete_': True}

vgg16_checkpoint = 'https://download.openmmlab.com/mmclassification/v0/vgg/vgg16_batch256_imagenet_20210208-db26f1a5.pth'  # noqa: E501
slt_classifier = dict(
    _base_.slt_classifier_base,
    backbone=dict(type='mmpretrain.VGG', depth=16, num_classes=None),
    init_cfg=dict(type='Pretrained', checkpoint=vgg16_checkpoint))
# fine-tuning: the new output layer (fc8) at the base lr, the rest at x0.1
slt_classifier_lr_groups = {
    'backbone': dict(lr_mult=0.1),
    'backbone.classifier.6': dict(lr_mult=1.0),
}
