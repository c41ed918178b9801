# The wsolevaluation pipelines (Choe et al., CVPR 2020), already set in the
# dataloaders of wsol_dataloaders.py: train = resize 256x256, random crop 224,
# flip; val/test = warp to 224x224. test_pipeline_center_crop is the older
# protocol's test pipeline (resize 256x256, centre crop 224); a config that
# inherits a dataset config built on this file selects it with
#   test_dataloader = dict(
#       dataset=dict(pipeline={{_base_.test_pipeline_center_crop}}))
# A dataset config that changes the pipelines (fgvc_aircraft.py,
# openimages30k.py) derives them from `_base_.<name>` and sets them in its
# loaders again: the loaders below hold the lists as they are here.
_base_ = './wsol_dataloaders.py'

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
test_pipeline_center_crop = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(256, 256)),
    dict(type='CenterCrop', size=224),
    dict(type='PackWSOLInputs'),
]

train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
