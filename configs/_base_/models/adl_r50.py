# ADL on ResNet-50 as wsolevaluation builds it (ResNetAdl, _ADL_POSITION):
# the CAM ResNet-50 with an attention-based drop layer after layer3's first
# block and after layer4's blocks 0 and 2; drop rate 0.75, gamma 0.9.
_base_ = './cam_r50.py'

model = dict(plugins=[
    dict(cfg=dict(type='ADL', drop_rate=0.75, gamma=0.9),
         after=['layer3.0', 'layer4.0', 'layer4.2'])
])
