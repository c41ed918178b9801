# ADL on the demo data: the CAM demo (cam_r18_demo.py) with attention-based
# dropout layers where wsolevaluation puts them in a ResNet (after the first
# block of layer3 and the first and last blocks of layer4; the demo's
# ResNet-18 has two blocks in layer4), drop rate 0.75, gamma 0.9.
_base_ = '../cam/cam_r18_demo.py'

model = dict(
    plugins=[
        dict(cfg=dict(type='ADL', drop_rate=0.75, gamma=0.9),
             after=['layer3.0', 'layer4.0', 'layer4.1'])
    ])
