# ACoL on InceptionV3, iNatLoc500 (species level):
# wsolevaluation's mechanics and defaults (configs/acol/README.md).
_base_ = [
    '../_base_/models/acol_inceptionv3.py',
    '../_base_/datasets/inatloc500.py',
    '../_base_/schedules/wsoleval_sgd_10e.py',
    '../_base_/default_runtime.py',
]

optim_wrapper = dict(paramwise_cfg=dict(custom_keys=_base_.lr_groups))
