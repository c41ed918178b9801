# SPOL on the synthetic demo data, every stage on the CPU in a few minutes:
# the pipeline of spol_r50_cub.py with narrow ResNet-18 networks (base width
# 32) trained from scratch, 4 classes.
#   python tools/train.py configs/spol/spol_r18_demo.py
_base_ = './spol_r50_cub.py'

data_root = 'data/synthetic_cub'
synthetic = dict(num_classes=4, train_per_class=60, test_per_class=20, seed=0)
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    dataset=dict(type='SyntheticCUB', data_root=data_root,
                 generator=synthetic))
test_dataloader = dict(
    batch_size=32,
    num_workers=2,
    dataset=dict(type='SyntheticCUB', data_root=data_root,
                 generator=synthetic))

max_epochs = 12
train_cfg = dict(max_epochs=max_epochs)
optim_wrapper = dict(
    optimizer=dict(lr=0.05, weight_decay=5e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=1.0)}))
default_hooks = dict(
    logger=dict(interval=5), checkpoint=dict(interval=4, max_keep_ckpts=1))

demo_backbone = dict(
    depth=18, base_channels=32, out_indices=(0, 1, 2, 3), init_cfg=None)
demo_neck = dict(
    in_channels=[32, 64, 128, 256], out_channels=64,
    mca=dict(latent_channels=32))
model = dict(
    backbone=demo_backbone,
    neck=demo_neck,
    head=dict(in_channels=64),
    aux_head=dict(in_channels=64))

stages = dict(
    seg=dict(cfg=dict(model=dict(
        backbone=demo_backbone, neck=demo_neck, head=dict(in_channels=64)))),
    classifier=dict(cfg=dict(
        model=dict(
            backbone=dict(depth=18, base_channels=32, init_cfg=None),
            head=dict(in_channels=256, topk=(1, ))),
        train_cfg=dict(max_epochs=6))),
)
