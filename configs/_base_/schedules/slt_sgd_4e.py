# SLT-Net's recipe for the localizer and the box regressor (section 4.1):
# SGD, momentum 0.9, weight decay 5e-4, lr 2e-4, batch 16, 4 epochs on CUB
# (2 on ILSVRC: the ILSVRC configs set train_cfg.max_epochs=2). The paper
# gives no schedule, warm-up or lr multipliers for the new layers: a constant
# lr, the same for every parameter (our reading; "New Optimization" of
# Table 5 is exactly this recipe applied to CAM).
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=2e-4, momentum=0.9, weight_decay=5e-4))
train_cfg = dict(by_epoch=True, max_epochs=4)
val_cfg = None
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=16)
