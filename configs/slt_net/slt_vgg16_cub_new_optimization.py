# Table 5, "+ New Optimization" (CUB: 74.3 GT-known Loc; ILSVRC 60.1): plain
# CAM (cross entropy, the ground-truth class's map) with SLT-Net's recipe
# (lr 2e-4, 4 epochs; the baseline column 58.0 is the published CAM).
_base_ = './slt_vgg16_cub_localizer.py'

model = dict(
    localizer=dict(
        head=dict(loss=dict(_delete_=True, type='mmpretrain.CrossEntropyLoss',
                            loss_weight=1.0)),
        test_cfg=dict(score_map='gt')),
    vst_loss=None)
