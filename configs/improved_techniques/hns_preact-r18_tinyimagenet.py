# Hide-and-Seek (Table 1, "HnS"): the "mixed" setting, a patch side drawn
# from {0 (no hiding), 4, 8, 16} px per image; each patch hidden with
# probability 0.5, hidden pixels = ImageNet mean (HideAndSeek's defaults:
# the paper gives neither).
_base_ = './cam_preact-r18_tinyimagenet.py'

train_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(64, 64)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='HideAndSeek', grid_sizes=(0, 4, 8, 16)),
    dict(type='PackWSOLInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
