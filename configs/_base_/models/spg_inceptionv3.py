# SPG on InceptionV3 as wsolevaluation builds it (InceptionSpg): the CAM
# InceptionV3 (with its three dropouts); branch B1 reads Mixed_5d after the
# pool that follows it (maxpool3, 288 channels), B2 Mixed_6d (768), C the
# second extra conv (1024), the classifier as in CAM. Thresholds (0.7,
# 0.01), (0.5, 0.05), (0.7, 0.1); the CAM is the classifier's.
_base_ = './cam_inceptionv3.py'

model = dict(
    type='SPG',
    # SPG_A4, a 1x1 conv, is xavier-initialised (GAP + linear equals it)
    head=dict(
        init_cfg=dict(type='Xavier', layer='Linear', distribution='uniform',
                      bias=0)),
    branch_layers=dict(b1='maxpool3', b2='Mixed_6d'),
    spg_head=dict(
        type='SPGHead',
        b1_channels=288,
        b2_channels=768,
        c_channels=1024,
        mid_channels=512,
        c_mid_channels=512))

# InceptionV3: `Mixed*` and `Conv2d_1..4` at the base lr; the extra convs,
# the classifier and the branches x10.
lr_groups = {
    '_delete_': True,  # not merged with the CAM file's
    'backbone.extra_conv': dict(lr_mult=10.0),
    'head': dict(lr_mult=10.0),  # the classifier and spg_head
}
