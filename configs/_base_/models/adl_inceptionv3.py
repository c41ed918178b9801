# ADL on InceptionV3 as wsolevaluation builds it (InceptionAdl): the CAM
# InceptionV3 without its dropouts, with an attention-based drop layer after
# Mixed_5d, after Mixed_6e and after the second extra conv's ReLU; drop rate
# 0.75, gamma 0.9.
_base_ = './cam_inceptionv3.py'

model = dict(
    backbone=dict(dropout=0.),
    head=dict(dropout=0.),
    plugins=[
        dict(cfg=dict(type='ADL', drop_rate=0.75, gamma=0.9),
             after=['Mixed_5d', 'Mixed_6e', 'extra_conv2'])
    ])
