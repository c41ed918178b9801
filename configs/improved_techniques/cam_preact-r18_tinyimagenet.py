# CAM baseline of "Improved Techniques for WSOL" (paper 002), Table 1:
# pre-activation ResNet-18 on Tiny ImageNet at 64x64, batch 256, 1500
# epochs; plain resize + flip (`_base_/datasets/tiny_imagenet.py`).
_base_ = [
    '../_base_/models/cam_preact_r18_tinyimagenet.py',
    '../_base_/datasets/tiny_imagenet.py',
    '../_base_/schedules/improved_techniques_sgd_1500e.py',
    '../_base_/default_runtime.py',
]

# The paper's metrics: GT-known Loc, Top-1 Loc (IoU > 0.5, box at 0.2 of the
# normalised CAM) and Top-1 Clas (WSOLMetric's gt_known_loc, top1_loc,
# top1_cls; MaxBoxAcc and MaxBoxAccV2 come along).
val_evaluator = dict(topk=(1, ), loc_cam_threshold=0.2, loc_iou_threshold=0.5)
test_evaluator = val_evaluator

default_hooks = dict(checkpoint=dict(interval=50))
