# SPOL on CUB-200-2011 as the official code trains it (github.com/weijun88/
# SPOL, commit 7a9d985; configs/_base_/methods/spol_official.py lists each
# choice with its source file), where it differs from the paper's text
# (spol_r50_cub.py); configs/spol/README.md compares the two option by
# option:
#   cam          128-channel MFF-Net, MCA with BN + ReLU, dropout 0.5, one
#                classifier shared by the fused and the deep branch with a
#                ReLU before the pooling; the fused branch distilled from the
#                deep one, (L_aux + L_distill) / 2; batch 64, 32 epochs, lr
#                0.002 backbone / 0.02 new layers, Nesterov
#   pseudo_masks GT-class CAM with its bias on the 256x256 warped image;
#                one Gaussian per contour of the CAM values in [0.1, 0.5],
#                variances / 10; fg = CAM > 0.25 or Gaussian > 0.25, bg =
#                CAM < 0.01
#   seg          the same 128-channel network, 2 epochs, batch 128, lr 0.02
#                for every parameter; boxes from the largest contour of the
#                probabilities above 0.2
#   classifier   the separate classifier (the official code's is a
#                fine-tuned EfficientNet-B7)
#   evaluate     segmentation boxes, classifier classes
_base_ = ['./spol_r50_cub.py', '../_base_/methods/spol_official.py']

model = _base_.spol_official_cub_cam_model
train_dataloader = dict(batch_size=64)
optim_wrapper = dict(optimizer=_base_.spol_official_optimizer)

stages = dict(
    pseudo_masks=_base_.spol_official_pseudo_masks,
    seg=dict(
        cfg=dict(
            model=_base_.spol_official_seg_model,
            train_dataloader=dict(batch_size=128),
            optim_wrapper=_base_.spol_official_seg_optim_wrapper,
            train_cfg=dict(max_epochs=2))),
)
