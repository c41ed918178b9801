# The separate classifier of SPOL / ISIC (section 3.4 / 3.1): any MMPretrain
# classifier; here an ImageNet-pretrained ResNet-50 (the papers use
# DenseNet161 / EfficientNet-B7, whose weights are not bundled); the
# classifier stage of configs/spol/spol_r50_cub.py uses it as its model.
classifier_model = dict(
    type='mmpretrain.ImageClassifier',
    data_preprocessor=dict(
        type='mmpretrain.ClsDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone=dict(
        type='mmpretrain.ResNet',
        depth=50,
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        num_classes=None,  # the class count of the dataset
        in_channels=2048,
        loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))
