# Ten-crop test of a classifier (SLT-Net, section 4.1: "ten crop
# augmentations to get final classification results and use single image
# input for all our localization results"): the image resized to 256x256, its
# four corner crops and centre crop of 224 and those of its horizontal flip
# (torchvision's TenCrop), softmax scores averaged per image. A TrainStage
# uses it with tta=True (training stays single-crop):
#   _base_ = [..., '../_base_/tta/ten_crop.py']
#   stages = dict(classifier=dict(type='TrainStage', tta=True, ...))
# InceptionV3 (resize 320, crop 299): tta_pipeline = _base_.tta_pipeline_299
# (tta_pipeline_224 stays the 224 one for a stage that needs it).
# The views are packed for MMPretrain classifiers; for a wsol_mm model give
# TenCrop pack=[dict(type='PackWSOLInputs')].
# average='logit' averages the logits instead (the softmax of their mean).
tta_model = dict(type='AverageClassScoreTTA', average='probability')
tta_pipeline_224 = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(256, 256)),
    dict(type='TenCrop', size=224, pack=[dict(type='mmpretrain.PackInputs')]),
]
tta_pipeline = tta_pipeline_224
tta_pipeline_299 = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(320, 320)),
    dict(type='TenCrop', size=299, pack=[dict(type='mmpretrain.PackInputs')]),
]
