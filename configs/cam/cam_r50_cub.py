# ResNet-50 CAM on CUB-200-2011 as wsolevaluation trains and evaluates it
# (Choe et al., CVPR 2020; the recipe and the differences are tabled in
# configs/cam/README.md): 14x14 maps at 224 input (layer3 stride 2, layer4
# stride 1; cam_r50_cub_large_feature_map.py has the 28x28 variant), x10 lr
# for layer4 and the classifier, the reference's step decay, CAM thresholds
# every 0.001. Paper 000 (table 2) reports MaxBoxAccV2 63.0 for it.
_base_ = [
    '../_base_/models/cam_r50.py',
    '../_base_/datasets/cub.py',
    '../_base_/schedules/wsoleval_sgd_50e.py',
    '../_base_/default_runtime.py',
]

# The CUB release has no held-out localization split: report the last
# checkpoint (wsolevaluation's --eval_checkpoint_type last).
default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=2))
optim_wrapper = dict(paramwise_cfg=dict(custom_keys=_base_.lr_groups))
