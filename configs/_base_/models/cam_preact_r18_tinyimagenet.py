# CAM on a pre-activation ResNet-18 for 64x64 Tiny ImageNet, the baseline of
# "Improved Techniques for WSOL" (paper 002): GAP -> linear layer -> softmax,
# CAM from the linear weights on the final BN + ReLU map (Tensorpack's
# CAM-resnet `group3new/bnlast`). Trained from scratch (the paper names no
# pretraining). The stem is our choice (the paper's "slight modification to
# the size of input layer" is not described): conv 3x3 stride 1 without max
# pool, stage strides 1, 2, 2, 2 (CIFAR ResNets') -> 8x8 maps of 512
# channels at 64x64 (`stem='imagenet', strides=(1, 2, 2, 1)`: Tensorpack's
# CAM-resnet, 7x7/2 + max pool, 4x4 maps).
# Boxes: largest connected component at 0.2 of the min-max normalised map
# (CAM's 20 % of the max; min-max moves the cut when the minimum is not 0).
model = dict(
    type='CAM',
    data_preprocessor=dict(
        type='ImgDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='PreActResNet', depth=18, stem='cifar', strides=(1, 2, 2, 2)),
    head=dict(
        type='CAMHead',
        num_classes=200,
        in_channels=512,
        loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0)),
    test_cfg=dict(topk=1, cam_threshold=0.2))
