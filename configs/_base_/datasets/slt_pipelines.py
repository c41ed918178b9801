# SLT-Net's pipelines (section 4.1, following GC-Net and PSOL): VGG16,
# ResNet-50 and DenseNet161 train on images resized to 256x256 and cut at
# 224x224 (random crop + flip: PSOL's training crops; the paper names only
# the sizes); InceptionV3 on 320x320 -> 299x299. Localization is tested on a
# single input, the centre crop of the same resize (the older protocol's
# boxes are mapped into the crop); the classifier on ten crops (tta/
# ten_crop.py).
# The localizer's training pipeline also makes the second view of L_VST
# (Eq. 10, I^t = g(I)): colour jitter (brightness, contrast, saturation 0.4,
# hue 0.1), a rescale of the whole image by s in {0.75, 1, 1.25} (W' x H' !=
# W x H, Eq. 11), and a horizontal flip with probability 0.5. At 224 the
# sides are rounded to multiples of the maps' stride 16, so that a map cell
# covers 16x16 pixels of each view: 176, 224 and 288 pixels (factors 0.786,
# 1, 1.286); at 299 (InceptionV3, no such stride) 224, 299 and 374. The paper
# gives no ranges; these are our choices (options of PairedViews:
# scale_range for continuous scales, scale_mode='zoom' for a constant size).
# Discrete scales let the model batch the views of equal size.
_base_ = ['../tta/ten_crop.py']

slt_second_view = dict(
    type='PairedViews',
    color_jitter=dict(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1),
    flip_prob=0.5,
    scale_mode='resize',
    scale_choices=(0.75, 1.0, 1.25),
    size_divisor=16)
slt_second_view_299 = dict(slt_second_view, size_divisor=1)


slt_train_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(256, 256)),
    dict(type='RandomCrop', size=224),
    dict(type='RandomFlip', prob=0.5),
    slt_second_view,
    dict(type='PackWSOLInputs'),
]
slt_test_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(256, 256)),
    dict(type='CenterCrop', size=224),
    dict(type='PackWSOLInputs'),
]
slt_train_pipeline_299 = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(320, 320)),
    dict(type='RandomCrop', size=299),
    dict(type='RandomFlip', prob=0.5),
    slt_second_view_299,
    dict(type='PackWSOLInputs'),
]
slt_test_pipeline_299 = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(320, 320)),
    dict(type='CenterCrop', size=299),
    dict(type='PackWSOLInputs'),
]
# The separate classifier trains on the same crops, packed for MMPretrain.
slt_classifier_train_pipeline = [
    *slt_train_pipeline[:4], dict(type='mmpretrain.PackInputs')]
slt_classifier_train_pipeline_299 = [
    *slt_train_pipeline_299[:4], dict(type='mmpretrain.PackInputs')]
