# SPOL on ImageNet-1K as the official code trains it (github.com/weijun88/
# SPOL, commit 7a9d985, imagenet-*/; configs/_base_/methods/spol_official.py
# lists each choice with its source file), where it differs from the paper's
# text (spol_r50_imagenet.py); see configs/spol/README.md:
#   cam          the 128-channel MFF-Net of spol_r50_cub_official.py with
#                plain cross entropy on the fused branch (no auxiliary
#                loss), stem (conv1, bn1) not trained, batch 128, Nesterov;
#                6000 iterations: the official code trains one epoch but
#                its pseudo-mask and test scripts load the snapshot of
#                iteration 6000 (imagenet-cam/test.py, imagenet-seg/test.py)
#   pseudo_masks as on CUB
#   seg          6000 iterations of batch 128, lr 0.02 for every parameter;
#                boxes from the largest contour above 0.8
#   classifier   the separate classifier (the official code's is the
#                ImageNet-pretrained EfficientNet-B7 tested at 685 x 685)
_base_ = ['./spol_r50_imagenet.py', '../_base_/methods/spol_official.py']

model = _base_.spol_official_imagenet_cam_model
train_dataloader = dict(batch_size=128)
optim_wrapper = dict(
    optimizer=_base_.spol_official_optimizer,
    paramwise_cfg=dict(custom_keys={
        'backbone.conv1': dict(lr_mult=0.0, decay_mult=0.0),
        'backbone.bn1': dict(lr_mult=0.0, decay_mult=0.0),
    }))
max_iters = 6000
train_cfg = dict(_delete_=True, by_epoch=False, max_iters=max_iters)
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=2000))
log_processor = dict(by_epoch=False)

stages = dict(
    pseudo_masks=_base_.spol_official_pseudo_masks,
    seg=dict(
        cfg=dict(
            model=dict(
                neck=_base_.spol_official_neck,
                head=dict(in_channels=128),
                test_cfg=dict(mask_threshold=0.8,
                              box_mode='largest_contour')),
            train_dataloader=dict(batch_size=128),
            optim_wrapper=_base_.spol_official_seg_optim_wrapper)),
)
