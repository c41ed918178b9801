# wsolevaluation's SGD recipe, the length of its large datasets (ImageNet,
# OpenImages30k; used for iNatLoc500 too): batch 32 (the dataset configs'
# loaders), 10 epochs, lr 0.01 (config.py's default: the tuned values per
# method, backbone and dataset are only in the spreadsheet linked from its
# README), x0.1 every 3 epochs (the README's 10-epoch example), Nesterov
# momentum 0.9, weight decay 1e-4 (config.py's default). Validation on
# train-fullsup after every epoch, as main.py does. The x10 lr groups live in
# the model files (_base_/models/*.py).
optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4,
        nesterov=True))
# adjust_learning_rate(e + 1) before the 0-based epoch e: x0.1 when
# (e + 1) % 3 == 0, i.e. decays before epochs 2, 5 and 8 (see
# wsoleval_sgd_50e.py).
param_scheduler = dict(
    type='MultiStepLR', by_epoch=True, milestones=[2, 5, 8], gamma=0.1)

train_cfg = dict(by_epoch=True, max_epochs=10, val_interval=1)
val_cfg = dict()
test_cfg = dict()

auto_scale_lr = dict(base_batch_size=32)
