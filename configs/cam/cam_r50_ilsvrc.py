# CAM on ResNet-50, ImageNet (ILSVRC 2012):
# wsolevaluation's mechanics and defaults (configs/cam/README.md).
_base_ = [
    '../_base_/models/cam_r50.py',
    '../_base_/datasets/ilsvrc.py',
    '../_base_/schedules/wsoleval_sgd_10e.py',
    '../_base_/default_runtime.py',
]

optim_wrapper = dict(paramwise_cfg=dict(custom_keys=_base_.lr_groups))
