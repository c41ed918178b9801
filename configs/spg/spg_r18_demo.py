# SPG on the demo data: the CAM demo's narrow ResNet-18 (cam_r18_demo.py)
# with the self-produced guidance branches placed as wsolevaluation places
# them in a ResNet: B1 on the first block of layer3, B2 on layer3's output,
# C on the last feature map; branch convolutions narrowed to 128 channels.
_base_ = '../cam/cam_r18_demo.py'

model = dict(
    type='SPG',
    branch_layers=dict(b1='layer3.0', b2='layer3'),
    spg_head=dict(
        type='SPGHead',
        b1_channels=128,
        b2_channels=128,
        c_channels=256,
        mid_channels=128,
        c_mid_channels=128))
