# SGD recipe of the wsolevaluation ResNet-50 CAM on CUB: batch 32, 50 epochs,
# lr 1.7e-4, Nesterov momentum 0.9, weight decay 1e-4 on every parameter.
# lr groups as wsolevaluation's main.py (_FEATURE_PARAM_LAYER_PATTERNS,
# substring match on the parameter names): ResNet's `layer4.` and the
# classifier `fc.` get lr x lr_classifier_ratio (10), everything else the
# base lr.
optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=1.7e-4, momentum=0.9, weight_decay=1e-4,
        nesterov=True),
    paramwise_cfg=dict(custom_keys={
        'backbone.layer4': dict(lr_mult=10.0),
        'head': dict(lr_mult=10.0),
    }))
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
