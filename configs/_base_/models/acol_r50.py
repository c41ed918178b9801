# ACoL on ResNet-50 as wsolevaluation builds it (ResNetAcol): the CAM
# ResNet-50 (layer4 at stride 1, 14x14 maps; 'he' initialisation) with two
# classifier branches (3x3 1024, 3x3 1024, 1x1 C) on layer4's 2048 channels,
# branch B on the features erased where branch A's map >= 0.7.
_base_ = './cam_r50.py'

model = dict(
    type='ACoL',
    backbone=dict(init_mode='he'),
    head=dict(
        _delete_=True,
        type='ACoLHead',
        num_classes=None,  # the training dataset's class count
        in_channels=2048,
        mid_channels=1024,
        erase_threshold=0.7,
        # ResNetAcol initialises its convolutions with 'he'
        init_cfg=dict(type='Kaiming', layer='Conv2d', mode='fan_out',
                      nonlinearity='relu', distribution='normal', bias=0)))

# wsolevaluation's ResNet rule (x10 for names with `layer4.` or `fc.`):
# the ACoL branches (classifier_A / classifier_B there) keep the base lr.
lr_groups = {'_delete_': True, 'backbone.layer4': dict(lr_mult=10.0)}
