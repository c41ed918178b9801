# GoogLeNet Resize (Table 1, "GR", the paper's proposal): a crop of 8-100 %
# of the area with aspect ratio 3/4-4/3, resized to the 64x64 input size; it
# replaces the plain resize. Sampler: MMPretrain's (log-uniform aspect, 10
# attempts, centre-crop fallback); Tensorpack's GoogleNetRandomCropAndResize
# draws the aspect uniformly and swaps w / h with probability 0.5.
_base_ = './cam_preact-r18_tinyimagenet.py'

train_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='RandomResizedCrop', size=64, crop_ratio_range=(0.08, 1.0),
         aspect_ratio_range=(3. / 4., 4. / 3.)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackWSOLInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
