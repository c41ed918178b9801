# SLT-Net with a ResNet-50 regressor and classifier on CUB-200-2011 (Table 7,
# PSOL / SLT-Net: 70.7 / 72.3 Top-1 Loc, - / 90.7 GT-known Loc): the VGG16
# localizer's boxes (the paper's choice for CUB) written once, then
# PSOL-style stages (_base_/methods/slt_net_staged_cub.py). The regressor is
# torchvision's ResNet-50 (stride 32, GAP) with the box head; the classifier
# MMPretrain's ResNet-50 with ImageNet weights and a new fc, fine-tuned.
_base_ = [
    '../_base_/models/slt_vgg16.py',
    '../_base_/models/resnet50_classifier.py',
    '../_base_/methods/slt_net_staged_cub.py',
]

stages = dict(
    regressor=dict(cfg=dict(model=dict(
        backbone=dict(_base_.classifier_model.backbone, out_indices=(3, )),
        head=dict(in_channels=2048)))),
    classifier=dict(cfg=dict(
        model=dict(_delete_=True, **_base_.classifier_model),
        optim_wrapper=dict(paramwise_cfg=dict(custom_keys={
            'backbone': dict(lr_mult=0.1)})))))
