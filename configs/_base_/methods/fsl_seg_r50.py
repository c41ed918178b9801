# FSL-Seg (Cole et al., "On Label Granularity and Object Localization", ECCV
# 2022, table 2): a class-agnostic saliency-style segmentation network trained
# on train-fullsup (the dataset's `val` split) with the boxes filled into
# binary masks (BoxesToMask, after the geometric transforms), tested on the
# test split with WSOLMetric; its foreground probability map is the score map.
# Not runnable alone: the fsl_seg_r50_<dataset>.py configs add the data.
#
# Network: ImageNet-pretrained ResNet-50 as the WSOL methods, at stride 8 (the
# wsolevaluation 28x28 variant: layer3 and layer4 stride 1, no dilation), the
# output stride of the DeepLab-style saliency networks of [33]; a 1x1 conv to
# one foreground logit per pixel (ClassAgnosticSegHead), bilinearly upsampled
# to the input for the BCE loss (MaskedBCELoss).
# Schedule (paper 000 gives none, its supplement is not available): 3000
# iterations of batch 32 whatever the size of train-fullsup (1k images on CUB,
# 2.5k OpenImages30k, 10k ImageNet, 12.5k iNatLoc500: about 100, 40, 10 and 8
# epochs), SGD with Nesterov momentum 0.9, lr 0.01 (x10 for the new head),
# weight decay 1e-4, DeepLab's poly decay (power 0.9). The test split is
# evaluated once, after the last iteration (no model selection on it).
_base_ = ['../default_runtime.py']

max_iters = 3000
model = dict(
    type='ClassAgnosticSegmentor',
    data_preprocessor=dict(
        type='WSOLDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='ResNetWSOL',
        depth=50,
        large_feature_map=True,
        # ImageNet weights; offline, a warning and a random initialisation.
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    head=dict(type='ClassAgnosticSegHead', in_channels=2048),
    test_cfg=dict(mask_threshold=0.5, box_mode='largest_component'))

optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4, nesterov=True),
    paramwise_cfg=dict(custom_keys={'head.': dict(lr_mult=10.0)}))
param_scheduler = dict(
    type='PolyLR', power=0.9, eta_min=0, by_epoch=False, begin=0,
    end=max_iters)
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=32)

default_hooks = dict(
    checkpoint=dict(by_epoch=False, interval=1000, max_keep_ckpts=2))
log_processor = dict(by_epoch=False)
