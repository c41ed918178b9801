# The synthetic CUB-layout dataset written by tools/misc/generate_synthetic_data.py
# (the quick-start demo and the tests), with CUB's pipelines.
_base_ = './cub.py'

data_root = 'data/synthetic_cub'
train_dataloader = dict(
    batch_size=16, num_workers=2, dataset=dict(data_root=data_root))
val_dataloader = dict(
    batch_size=32, num_workers=2, dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
