# The built-in demo data: a seeded synthetic dataset in the CUB release layout
# (4 classes, 60 train / 20 test images each), written to data_root on first
# use; CUB's pipelines at 128x128 instead of 224x224 (train: resize 146x146,
# random crop 128, flip; test: warp to 128x128; both sides x 4/7): a third of
# the compute, so that the quick start trains in about 2 minutes on 2 CPU
# cores. The objects fill the images, so CAM's 8x8 maps still localize them.
_base_ = './cub.py'

data_root = 'data/synthetic_cub'
synthetic = dict(num_classes=4, train_per_class=60, test_per_class=20, seed=0)
input_size = 128
train_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(146, 146)),
    dict(type='RandomCrop', size=input_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackWSOLInputs'),
]
test_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(input_size, input_size)),
    dict(type='PackWSOLInputs'),
]
test_pipeline_center_crop = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(146, 146)),
    dict(type='CenterCrop', size=input_size),
    dict(type='PackWSOLInputs'),
]
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    dataset=dict(type='SyntheticCUB', data_root=data_root,
                 generator=synthetic, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32,
    num_workers=2,
    dataset=dict(type='SyntheticCUB', data_root=data_root,
                 generator=synthetic, pipeline=test_pipeline))
test_dataloader = val_dataloader
