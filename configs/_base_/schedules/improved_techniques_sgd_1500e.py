# The recipe of "Improved Techniques for WSOL" (paper 002, Sec. 3): Nesterov
# momentum 0.9, lr 0.1 divided by 10 every 250 of 1500 epochs (0.1, 1e-2,
# ..., 1e-6), weight decay 1e-4. "Hyper-parameters are tuned for batch-256
# and 18-layer settings, and fixed for all other experiments": the lr stays
# 0.1 for the batch sizes 32 and 128 of Table 2 (no linear scaling;
# `auto_scale_lr` is disabled and --auto-scale-lr would scale from 256).
# Weight decay on the conv and linear weights only, not on BN parameters
# and biases, as Tensorpack (the paper's framework) regularises '.*/W'
# (our reading; the paper only gives the value).
optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4, nesterov=True),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0))
param_scheduler = dict(
    type='MultiStepLR',
    by_epoch=True,
    milestones=[250, 500, 750, 1000, 1250],
    gamma=0.1)

train_cfg = dict(by_epoch=True, max_epochs=1500, val_interval=50)
val_cfg = dict()
test_cfg = dict()

auto_scale_lr = dict(base_batch_size=256, enable=False)
