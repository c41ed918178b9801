# "GR after HnS" (Table 1): Hide-and-Seek on the 64x64 image first (patch
# sides in pixels of that image), then GoogLeNet Resize, which also scales
# the hidden patches.
_base_ = './cam_preact-r18_tinyimagenet.py'

train_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(64, 64)),
    dict(type='HideAndSeek', grid_sizes=(0, 4, 8, 16)),
    dict(type='RandomResizedCrop', size=64, crop_ratio_range=(0.08, 1.0),
         aspect_ratio_range=(3. / 4., 4. / 3.)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackWSOLInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
