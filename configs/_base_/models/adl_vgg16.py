# ADL on VGG16 as wsolevaluation builds it (VggCam with its 'A' positions):
# the CAM VGG16-GAP with an attention-based drop layer after pool3
# (features.16), after conv4_3's ReLU (features.22, before pool4) and after
# conv5_3's ReLU (features.29); drop rate 0.75, gamma 0.9.
_base_ = './cam_vgg16.py'

model = dict(plugins=[
    dict(cfg=dict(type='ADL', drop_rate=0.75, gamma=0.9),
         after=['features.16', 'features.22', 'features.29'])
])
