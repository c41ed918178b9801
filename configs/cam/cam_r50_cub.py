_base_ = [
    '../_base_/models/cam_r50.py',
    '../_base_/datasets/cub.py',
    '../_base_/schedules/wsoleval_sgd_50e.py',
    '../_base_/default_runtime.py',
]

# The CUB release has no held-out localization split: report the last
# checkpoint (wsolevaluation's --eval_checkpoint_type last).
default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=2))
