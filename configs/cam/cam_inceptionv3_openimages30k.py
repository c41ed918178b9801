# CAM on InceptionV3, OpenImages30k:
# wsolevaluation's mechanics and defaults (configs/cam/README.md).
_base_ = [
    '../_base_/models/cam_inceptionv3.py',
    '../_base_/datasets/openimages30k.py',
    '../_base_/schedules/wsoleval_sgd_10e.py',
    '../_base_/default_runtime.py',
]

optim_wrapper = dict(paramwise_cfg=dict(custom_keys=_base_.lr_groups))
