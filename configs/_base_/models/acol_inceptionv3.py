# ACoL on InceptionV3 as wsolevaluation builds it (InceptionAcol): the
# modified InceptionV3 up to Mixed_6e (768 channels, no extra convs, no
# dropout), two classifier branches (3x3 1024, 3x3 1024, 1x1 C), branch B on
# the features erased where branch A's map >= 0.7.
_base_ = './cam_inceptionv3.py'

model = dict(
    type='ACoL',
    backbone=dict(with_head=False, dropout=0.),
    head=dict(
        _delete_=True,
        type='ACoLHead',
        num_classes=None,  # the training dataset's class count
        in_channels=768,
        mid_channels=1024,
        erase_threshold=0.7))

# InceptionV3: `Mixed*` and `Conv2d_1..4` at the base lr, the branches x10.
lr_groups = {'_delete_': True, 'head': dict(lr_mult=10.0)}
