# The built-in demo data: a seeded synthetic dataset in the CUB release layout
# (4 classes, 60 train / 20 test images each), written to data_root on first
# use; CUB's pipelines.
_base_ = './cub.py'

data_root = 'data/synthetic_cub'
synthetic = dict(num_classes=4, train_per_class=60, test_per_class=20, seed=0)
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    dataset=dict(type='SyntheticCUB', data_root=data_root,
                 generator=synthetic))
val_dataloader = dict(
    batch_size=32,
    num_workers=2,
    dataset=dict(type='SyntheticCUB', data_root=data_root,
                 generator=synthetic))
test_dataloader = val_dataloader
