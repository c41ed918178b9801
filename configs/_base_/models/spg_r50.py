# SPG on ResNet-50 as wsolevaluation builds it (ResNetSpg): the CAM
# ResNet-50 (14x14 maps); branch B1 reads layer3's first block, B2 layer3's
# output (1024 channels each, branch width 1024), C layer4's output, the
# classifier (SPG_A4) layer4. Thresholds (0.7, 0.01), (0.5, 0.05), (0.7,
# 0.1); the CAM is the classifier's.
_base_ = './cam_r50.py'

model = dict(
    type='SPG',
    # SPG_A4, a 1x1 conv, is xavier-initialised (GAP + linear equals it)
    head=dict(
        init_cfg=dict(type='Xavier', layer='Linear', distribution='uniform',
                      bias=0)),
    branch_layers=dict(b1='layer3.0', b2='layer3'),
    spg_head=dict(
        type='SPGHead',
        b1_channels=1024,
        b2_channels=1024,
        c_channels=2048,
        mid_channels=1024,
        c_mid_channels=512))

# wsolevaluation's ResNet rule (x10 for names with `layer4.` or `fc.`):
# ResNetSpg's classifier and branches (SPG_A4, SPG_B*, SPG_C) keep the base
# lr; only layer4 gets x10.
lr_groups = {'_delete_': True, 'backbone.layer4': dict(lr_mult=10.0)}
