# ACoL on InceptionV3, CUB-200-2011:
# wsolevaluation's mechanics and defaults (configs/acol/README.md).
_base_ = [
    '../_base_/models/acol_inceptionv3.py',
    '../_base_/datasets/cub.py',
    '../_base_/schedules/wsoleval_sgd_50e.py',
    '../_base_/default_runtime.py',
]

optim_wrapper = dict(paramwise_cfg=dict(custom_keys=_base_.lr_groups))
# The CUB release has no train-fullsup split: the test split is the val one
# (monitoring only); the last checkpoint is reported.
default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=2))
