# ResNet-50 CAM of the wsolevaluation benchmark (its ResNetCam): layer3 keeps
# its stride 2 and layer4 has stride 1 (no dilation, only the stride
# changes), so a 224x224 input gives 14x14 maps; GAP, linear layer (weights
# normal(0, 0.01), bias 0, as wsolevaluation's initialize_weights). The
# 28x28 "large_feature_map" variant: backbone.large_feature_map=True
# (configs/cam/cam_r50_cub_large_feature_map.py).
model = dict(
    type='CAM',
    data_preprocessor=dict(
        type='WSOLDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='ResNetWSOL',
        depth=50,
        large_feature_map=False,
        # ImageNet weights; offline, a warning and a random initialisation.
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    head=dict(
        type='CAMHead',
        num_classes=None,  # the training dataset's class count
        in_channels=2048,
        loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0)),
    test_cfg=dict(topk=1, cam_threshold=0.2))

# wsolevaluation's x10 lr groups for ResNet (main.py's
# _FEATURE_PARAM_LAYER_PATTERNS, a substring match on the parameter names):
# everything but `layer4.` and the classifier `fc.` keeps the base lr. A
# training config applies them with
#   optim_wrapper = dict(paramwise_cfg=dict(custom_keys=_base_.lr_groups))
# (the schedule files own `optim_wrapper`; two bases cannot both set it).
lr_groups = {
    'backbone.layer4': dict(lr_mult=10.0),
    'head': dict(lr_mult=10.0),
}
