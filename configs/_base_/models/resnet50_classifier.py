# A separate classifier for SPOL / ISIC pipelines (section 3.4 / 3.1): any
# MMPretrain classifier; here an ImageNet-pretrained ResNet-50. The SPOL and
# ISIC configs use the papers' EfficientNet-B7 (efficientnet_b7_classifier.py)
# or DenseNet161 (densenet161_classifier.py); the demo configs
# (configs/spol/spol_r18_demo.py) narrow this one to a ResNet-18.
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
