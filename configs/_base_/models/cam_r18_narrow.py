# The CAM of the CPU demos: cam_r50.py with a narrow ResNet-18 (base width 32,
# layer4 at stride 1: 224x224 inputs give 14x14 maps) trained from scratch.
_base_ = './cam_r50.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.ResNet',
        depth=18,
        base_channels=32,
        strides=(1, 2, 2, 1),
        out_indices=(3, ),
        init_cfg=None),
    head=dict(in_channels=256))
