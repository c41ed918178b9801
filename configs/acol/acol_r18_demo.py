# ACoL on the demo data: the CAM demo's narrow ResNet-18 (cam_r18_demo.py)
# with two adversarial classifier branches on its last feature map (256
# channels); the branch convolutions are narrowed to 256 channels (1024 in
# the paper) to keep the demo a few minutes on the CPU. Erasing threshold 0.7.
_base_ = '../cam/cam_r18_demo.py'

model = dict(
    type='ACoL',
    head=dict(
        _delete_=True,
        type='ACoLHead',
        num_classes=4,
        in_channels=256,
        mid_channels=256,
        erase_threshold=0.7))
