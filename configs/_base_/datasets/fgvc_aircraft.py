# FGVC-Aircraft 2013b in its release layout (the `data` folder); train on
# `trainval`, test on `test`; gt_label at the `variant` level (set the
# dataset's `level` to 'family' or 'manufacturer' for coarser labels).
# wsolevaluation pipelines as for CUB: train = resize 256x256, random crop
# 224, flip; test = warp to 224x224. `center_crop_test_pipeline` is the older
# protocol (resize 256x256, centre crop 224); select it with
# test_dataloader = dict(dataset=dict(pipeline=center_crop_test_pipeline))
# in a config that inherits this one.
# Every pipeline starts with CropBottomBanner, which cuts the 20-row
# copyright banner off an image only when the dataset has crop_banner=True
# (set it in train/val/test datasets alike); the default keeps whole images.
dataset_type = 'FGVCAircraft'
data_root = 'data/fgvc-aircraft-2013b/data'

train_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='CropBottomBanner'),
    dict(type='Resize', size=(256, 256)),
    dict(type='RandomCrop', size=224),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackWSOLInputs'),
]
test_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='CropBottomBanner'),
    dict(type='Resize', size=(224, 224)),
    dict(type='PackWSOLInputs'),
]
center_crop_test_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='CropBottomBanner'),
    dict(type='Resize', size=(256, 256)),
    dict(type='CenterCrop', size=224),
    dict(type='PackWSOLInputs'),
]

train_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='trainval',
        level='variant',
        crop_banner=False,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='test',
        level='variant',
        crop_banner=False,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(type='WSOLMetric')
test_evaluator = val_evaluator
