# wsolevaluation's SGD recipe, CUB-200-2011 length: batch 32 (the dataset
# configs' loaders), 50 epochs, lr 1.7e-4 decayed x0.1 every 15 epochs,
# Nesterov momentum 0.9, weight decay 1e-4 (config.py's default) on every
# parameter. The x10 lr groups (lr_classifier_ratio) depend on the network's
# parameter names and live in the model files (_base_/models/*.py,
# `optim_wrapper.paramwise_cfg`).
optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=1.7e-4, momentum=0.9, weight_decay=1e-4,
        nesterov=True))
# wsolevaluation calls adjust_learning_rate(e + 1) before the 0-based epoch
# e and multiplies by 0.1 when (e + 1) % lr_decay_frequency == 0: the lr of
# epoch e is lr * 0.1 ** ((e + 1) // 15), a decay before epochs f - 1,
# 2f - 1, ... (StepLR(step_size=15) would decay one epoch later). A child
# config that changes max_epochs or the frequency sets the milestones again.
param_scheduler = dict(
    type='MultiStepLR', by_epoch=True, milestones=[14, 29, 44], gamma=0.1)

train_cfg = dict(by_epoch=True, max_epochs=50, val_interval=5)
val_cfg = dict()
test_cfg = dict()

# --auto-scale-lr scales the lr by (total batch size / base_batch_size).
auto_scale_lr = dict(base_batch_size=32)
