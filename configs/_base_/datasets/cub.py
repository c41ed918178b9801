# CUB-200-2011 in its original release layout, wsolevaluation pipelines:
# train = resize 256x256, random crop 224, flip; test = warp to 224x224.
dataset_type = 'CUB'
data_root = 'data/CUB_200_2011'

train_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(256, 256)),
    dict(type='RandomCrop', size=224),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackWSOLInputs'),
]
test_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(224, 224)),
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
        split='train',
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
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(type='WSOLMetric')
test_evaluator = val_evaluator
