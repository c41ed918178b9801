# SGD recipe of the wsolevaluation ResNet-50 CAM on CUB: batch 32, 50 epochs,
# lr 1.7e-4 (x10 for the new classifier), decayed x0.1 every 15 epochs.
optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=1.7e-4, momentum=0.9, weight_decay=1e-4,
        nesterov=True),
    paramwise_cfg=dict(custom_keys={'head': dict(lr_mult=10.0)}))
param_scheduler = dict(type='StepLR', by_epoch=True, step_size=15, gamma=0.1)

train_cfg = dict(by_epoch=True, max_epochs=50, val_interval=5)
val_cfg = dict()
test_cfg = dict()

# --auto-scale-lr scales the lr by (total batch size / base_batch_size).
auto_scale_lr = dict(base_batch_size=32)
