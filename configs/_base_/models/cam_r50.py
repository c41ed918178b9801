# ResNet-50 CAM of the wsolevaluation benchmark: layer3 and layer4 keep
# stride 1 ("large feature map", 28x28 maps at 224 input), GAP, linear layer.
model = dict(
    type='CAM',
    data_preprocessor=dict(
        type='ImgDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='mmpretrain.ResNet',
        depth=50,
        strides=(1, 2, 1, 1),
        out_indices=(3, ),
        # ImageNet weights; offline, a warning and a random initialisation.
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    head=dict(
        type='CAMHead',
        num_classes=200,
        in_channels=2048,
        loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0)),
    test_cfg=dict(topk=1, cam_threshold=0.2))
