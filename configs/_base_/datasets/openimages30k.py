# OpenImages30k in the wsolevaluation metadata layout: data_root holds the
# images and, next to them, the instance and ignore masks (train/, val/,
# test/); metadata_root the train/ val/ test/ folders of wsolevaluation's
# metadata/OpenImages. Splits: train = train-weaksup, val = train-fullsup,
# test. The masks give gt_mask (LoadWSOLMask, right after the image loading)
# and hence PxAP; LoadWSOLMask also derives one box per instance for the box
# metrics. Set mask_root in the datasets when the masks are elsewhere.
# wsolevaluation pipelines: train = resize 256x256, random crop 224, flip;
# test = warp to 224x224. The older protocol's test pipeline (resize 256x256,
# centre crop 224) is test_pipeline_center_crop; a child config selects it:
#   test_dataloader = dict(
#       dataset=dict(pipeline={{_base_.test_pipeline_center_crop}}))
dataset_type = 'OpenImages30k'
data_root = 'data/OpenImages'
metadata_root = 'data/metadata/OpenImages'

train_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(256, 256)),
    dict(type='RandomCrop', size=224),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackWSOLInputs'),
]
test_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='LoadWSOLMask'),
    dict(type='Resize', size=(224, 224)),
    dict(type='PackWSOLInputs'),
]
test_pipeline_center_crop = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='LoadWSOLMask'),
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
        metadata_root=metadata_root,
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
        metadata_root=metadata_root,
        split='val',
        pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        metadata_root=metadata_root,
        split='test',
        pipeline=test_pipeline))

val_evaluator = dict(type='WSOLMetric')
test_evaluator = val_evaluator
