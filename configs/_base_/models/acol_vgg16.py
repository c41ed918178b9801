# ACoL on VGG16 as wsolevaluation builds it (VggAcol): VGG16 features with
# 3x3 stride-2 pad-1 max pools (pool4 3x3 stride 1 for 28x28 maps), a 3x3
# stride-1 pool5 and an extra 3x3 average pool (backbone pooling='acol'), no
# conv6; two classifier branches (3x3 1024, 3x3 1024, 1x1 C) on its 512
# channels, branch B on the features erased where branch A's map >= 0.7.
_base_ = './cam_vgg16.py'

model = dict(
    type='ACoL',
    backbone=dict(pooling='acol', with_conv6=False),
    head=dict(
        _delete_=True,
        type='ACoLHead',
        num_classes=None,  # the training dataset's class count
        in_channels=512,
        mid_channels=1024,
        erase_threshold=0.7))

# VGG: `features.` at the base lr, the two branches x10.
lr_groups = {'_delete_': True, 'head': dict(lr_mult=10.0)}
