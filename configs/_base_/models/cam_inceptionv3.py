# InceptionV3 CAM of the wsolevaluation benchmark (its InceptionCam):
# torchvision's InceptionV3 up to Mixed_6e with Conv2d_1a at padding 1, a
# max pool before Mixed_6a (none with backbone.large_feature_map=True) and
# Mixed_6a at stride 1, padding 1; then dropout 0.5 -> 3x3 768 -> 1024 +
# ReLU (extra_conv1) -> dropout 0.5 -> 3x3 1024 -> 1024 + ReLU (extra_conv2)
# -> dropout 0.5 -> the class layer (CAMHead: GAP + linear equals the
# reference's 1x1 class conv + GAP). 14x14 maps at 224.
_base_ = './cam_r50.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='InceptionV3WSOL',
        large_feature_map=False,
        with_head=True,
        dropout=0.5,
        init_cfg=dict(type='Pretrained',
                      checkpoint='torchvision://inception_v3_google')),
    head=dict(
        in_channels=1024,
        dropout=0.5,
        # the reference's 1x1 class conv is xavier-initialised
        init_cfg=dict(type='Xavier', layer='Linear', distribution='uniform',
                      bias=0)))

# wsolevaluation's x10 lr groups for InceptionV3: parameters whose names
# contain `Mixed` or `Conv2d_1` .. `Conv2d_4` keep the base lr, every other
# one (the extra convs, the class layer) gets x10.
lr_groups = {
    '_delete_': True,
    'backbone.extra_conv': dict(lr_mult=10.0),
    'head': dict(lr_mult=10.0),
}
