# The official SPOL code's recipe (github.com/weijun88/SPOL, commit 7a9d985)
# as option values of the modules the paper's configs use; the official
# configs (configs/spol/spol_r50_*_official.py) read these variables. Each
# value names the file of the official code it comes from; the paper's
# values are the modules' defaults (see configs/spol/README.md).

# cub200-cam/model.py: MCA squeeze convs followed by BN + ReLU, latent 128;
# 1x1 conv + BN + ReLU reductions to 128 channels; bilinear resizing with
# align_corners=True; the deep branch (reduced layer4) upsampled to the fused
# resolution before the classifier. The same in cub200-seg/model.py.
spol_official_neck = dict(
    out_channels=128,
    resize_deepest=True,
    align_corners=True,
    mca=dict(
        latent_channels=128,
        norm_cfg=dict(type='BN'),
        act_cfg=dict(type='ReLU')))
# cub200-cam/model.py: dropout 0.5 on the feature map, one 1x1 conv
# classifier (with bias), ReLU on the class maps, then the spatial mean.
spol_official_cam_head = dict(
    in_channels=128, dropout=0.5, relu_before_pool=True)
# cub200-cam/train.py: that classifier is shared by the fused and the deep
# branch; the deep branch learns from the labels, the fused one from the
# detached softmax of the deep one; the two losses are averaged.
spol_official_cub_cam_model = dict(
    neck=spol_official_neck,
    head=spol_official_cam_head,
    aux_head=None,
    share_head=True,
    aux_mode='distill_mean')
# imagenet-cam/train.py: plain cross entropy on the fused branch only.
spol_official_imagenet_cam_model = dict(
    neck=spol_official_neck,
    head=spol_official_cam_head,
    aux_head=None,
    share_head=False,
    aux_mode='sum')
# */train.py: SGD, momentum 0.9, weight decay 1e-4, Nesterov.
spol_official_optimizer = dict(nesterov=True)

# cub200-cam/test.py: the GT-class CAM relu(W F + b) divided by its maximum
# on the 256x256 warped training image; Gaussian weights = CAM values in
# [0.1, 0.5]; one Gaussian per contour of area >= 20 px (RETR_TREE, filled
# contour), variances and covariance / 10, combined by max. CAM and Gaussian
# are kept apart: cub200-seg/train.py labels foreground = CAM > 0.25 or
# Gaussian > 0.25, background = CAM < 0.01 and not foreground.
spol_official_pseudo_masks = dict(
    enhance=dict(
        _delete_=True,
        type='GaussianPriorEnhance',
        weight_range=(0.1, 0.5),
        per_contour=True,
        min_contour_area=20,
        var_scale=0.1),
    label_rule='cam_or_prior',
    cam_bias=True,
    fg_threshold=0.25,
    bg_threshold=0.01)

# cub200-seg/model.py + test.py: the same neck, dropout 0.5 and a 1x1 conv to
# one logit; the box of the largest contour (RETR_TREE, largest
# contourArea) of the sigmoid map above 0.2 (CUB; imagenet-seg/test.py: 0.8).
spol_official_seg_model = dict(
    neck=spol_official_neck,
    head=dict(in_channels=128, dropout=0.5),
    test_cfg=dict(mask_threshold=0.2, box_mode='largest_contour'))
# cub200-seg/train.py: lr 0.02 for every parameter (the backbone too).
spol_official_seg_optim_wrapper = dict(
    optimizer=dict(nesterov=True), paramwise_cfg=dict(_delete_=True))
