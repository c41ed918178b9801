# InceptionV3 CAM of the wsolevaluation benchmark (its InceptionCam):
# torchvision's InceptionV3 up to Mixed_6e with Conv2d_1a at padding 1, a
# max pool before Mixed_6a (none with backbone.large_feature_map=True) and
# Mixed_6a at stride 1, padding 1; then dropout 0.5 -> 3x3 768 -> 1024 +
# ReLU (extra_conv1) -> dropout 0.5 -> 3x3 1024 -> 1024 + ReLU (extra_conv2)
# -> dropout 0.5 -> the class layer (CAMHead: GAP + linear equals the
# reference's 1x1 class conv + GAP). 14x14 maps at 224.
model = dict(
    type='CAM',
    data_preprocessor=dict(
        type='WSOLDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='InceptionV3WSOL',
        large_feature_map=False,
        with_head=True,
        dropout=0.5,
        init_cfg=dict(type='Pretrained',
                      checkpoint='torchvision://inception_v3_google')),
    head=dict(
        type='CAMHead',
        num_classes=None,  # the training dataset's class count
        in_channels=1024,
        dropout=0.5,
        loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0),
        # the reference's 1x1 class conv is xavier-initialised
        init_cfg=dict(type='Xavier', layer='Linear', distribution='uniform',
                      bias=0)),
    test_cfg=dict(topk=1, cam_threshold=0.2))

# wsolevaluation's x10 lr groups for InceptionV3: parameters whose names
# contain `Mixed` or `Conv2d_1` .. `Conv2d_4` keep the base lr, every other
# one (the extra convs, the class layer) gets x10.
lr_groups = {
    'backbone.extra_conv': dict(lr_mult=10.0),
    'head': dict(lr_mult=10.0),
}
