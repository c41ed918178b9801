# SPG on ResNet-50, OpenImages30k:
# wsolevaluation's mechanics and defaults (configs/spg/README.md).
_base_ = [
    '../_base_/models/spg_r50.py',
    '../_base_/datasets/openimages30k.py',
    '../_base_/schedules/wsoleval_sgd_10e.py',
    '../_base_/default_runtime.py',
]

optim_wrapper = dict(paramwise_cfg=dict(custom_keys=_base_.lr_groups))
