# SPG on ResNet-50, FGVC-Aircraft (train / val / test splits) for the
# label-granularity study: wsolevaluation's mechanics and CUB-sized schedule.
_base_ = [
    '../../_base_/models/spg_r50.py',
    '../../_base_/datasets/fgvc_aircraft_study.py',
    '../../_base_/schedules/wsoleval_sgd_50e.py',
    '../../_base_/default_runtime.py',
]

optim_wrapper = dict(paramwise_cfg=dict(custom_keys=_base_.lr_groups))
