# VGG16-GAP CAM of the wsolevaluation benchmark (its VggCam): torchvision's
# VGG16 conv1_1 .. conv5_3 with pools 1-4 (no pool5; 28x28 maps without
# pool4: backbone.large_feature_map=True), conv6 3x3 512 -> 1024 + ReLU,
# GAP, linear classifier. 14x14 maps at 224. New layers: wsolevaluation's
# 'he' initialisation; the classifier normal(0, 0.01).
model = dict(
    type='CAM',
    data_preprocessor=dict(
        type='WSOLDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='VGG16GAP',
        large_feature_map=False,
        pooling='max',
        with_conv6=True,
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://vgg16')),
    head=dict(
        type='CAMHead',
        num_classes=None,  # the training dataset's class count
        in_channels=1024,
        loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0)),
    test_cfg=dict(topk=1, cam_threshold=0.2))

# wsolevaluation's x10 lr groups for VGG: parameters whose names contain
# `features.` keep the base lr, every other one (conv6, the classifier) gets
# x10 (see cam_r50.py for how a training config applies them).
lr_groups = {
    'backbone.conv6': dict(lr_mult=10.0),
    'head': dict(lr_mult=10.0),
}
