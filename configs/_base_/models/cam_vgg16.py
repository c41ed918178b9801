# VGG16-GAP CAM of the wsolevaluation benchmark (its VggCam): torchvision's
# VGG16 conv1_1 .. conv5_3 with pools 1-4 (no pool5; 28x28 maps without
# pool4: backbone.large_feature_map=True), conv6 3x3 512 -> 1024 + ReLU,
# GAP, linear classifier. 14x14 maps at 224. New layers: wsolevaluation's
# 'he' initialisation; the classifier normal(0, 0.01).
_base_ = './cam_r50.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='VGG16GAP',
        large_feature_map=False,
        pooling='max',
        with_conv6=True,
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://vgg16')),
    head=dict(in_channels=1024))

# wsolevaluation's x10 lr groups for VGG: parameters whose names contain
# `features.` keep the base lr, every other one (conv6, the classifier) gets
# x10 (see cam_r50.py for how a training config applies them).
lr_groups = {
    '_delete_': True,
    'backbone.conv6': dict(lr_mult=10.0),
    'head': dict(lr_mult=10.0),
}
