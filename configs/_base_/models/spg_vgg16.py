# SPG on VGG16 as wsolevaluation builds it (VggSpg): VGG16 features with a
# 3x3 stride-2 pad-1 pool4 (backbone pooling='spg'; none for 28x28 maps), no
# conv6; two new 3x3 512 convs + ReLU (SPG_A_3, the neck) and the linear
# classifier (SPG_A_4). Branch B1 reads conv4_3 after pool4 (features.23),
# B2 conv5_3 (features.29), C the classifier's input. Thresholds (0.7,
# 0.01), (0.5, 0.05), (0.7, 0.1); the CAM is the classifier's.
_base_ = './cam_vgg16.py'

model = dict(
    type='SPG',
    backbone=dict(pooling='spg', with_conv6=False),
    neck=dict(type='ConvReLUNeck', in_channels=512, channels=(512, 512)),
    # SPG_A4, a 1x1 conv, is xavier-initialised (GAP + linear equals it)
    head=dict(
        in_channels=512,
        init_cfg=dict(type='Xavier', layer='Linear', distribution='uniform',
                      bias=0)),
    branch_layers=dict(b1='features.23', b2='features.29'),
    spg_head=dict(
        type='SPGHead',
        b1_channels=512,
        b2_channels=512,
        c_channels=512,
        mid_channels=512,
        c_mid_channels=512))

# wsolevaluation's VGG rule: names with `features.` keep the base lr; VggSpg
# renames conv4_* and conv5_* (SPG_A_1, SPG_A_2), so these pretrained layers
# get x10 there, as do the neck, the classifier and the branches. Kept as
# the reference does it; drop the `backbone.features.N.` keys to train
# conv4/conv5 at the base lr.
lr_groups = {
    '_delete_': True,  # not merged with the CAM file's
    'backbone.features.17.': dict(lr_mult=10.0),
    'backbone.features.19.': dict(lr_mult=10.0),
    'backbone.features.21.': dict(lr_mult=10.0),
    'backbone.features.24.': dict(lr_mult=10.0),
    'backbone.features.26.': dict(lr_mult=10.0),
    'backbone.features.28.': dict(lr_mult=10.0),
    'neck': dict(lr_mult=10.0),
    'head': dict(lr_mult=10.0),  # the classifier and spg_head
}
