# DenseNet161, the separate classifier that SPOL's paper names (section 4.2,
# "for a fair comparison" with PSOL; Table 1 rows "SPOL ResNet50 /
# DenseNet161"), as an MMPretrain classifier with ImageNet weights, and its
# recipe as stages of a multi-stage config
# (configs/spol/spol_r50_cub_densenet161.py):
#   densenet161_stage_cub       fine-tuned with the schedule of SPOL's
#                               official EfficientNet-B7 classifier
#                               (efficientnet_b7_classifier.py: 20 epochs,
#                               batch 16, SGD momentum 0.9 Nesterov wd 1e-4,
#                               lr decayed linearly per epoch) at DenseNet's
#                               ImageNet resolution: images warped to
#                               256x256, random 224x224 crops, flip; tested on
#                               the 224x224 centre crop (the localizer's test
#                               protocol); lr 0.05 for the new fc layer,
#                               0.005 for the backbone
#   densenet161_stage_imagenet  the ImageNet model as it is, not trained,
#                               tested on the 224x224 centre crop
# Neither the paper nor the official code gives a DenseNet161 recipe: these
# are our choices. Weights: MMPretrain's conversion of torchvision's
# densenet161 ('densenet161_3rdparty_in1k', 77.61 top-1); offline the model
# keeps its random initialisation with a warning, or point
#   --cfg-options stages.classifier.cfg.model.init_cfg.checkpoint=FILE
# at a local copy. As for EfficientNet-B7, the whole model is initialised
# from it and on CUB the 1000-class fc is left out (size mismatch).
densenet161_checkpoint = 'https://download.openmmlab.com/mmclassification/v0/densenet/densenet161_4xb256_in1k_20220426-ee6a80a9.pth'  # noqa: E501
densenet161_classifier = dict(
    type='mmpretrain.ImageClassifier',
    data_preprocessor=dict(
        type='mmpretrain.ClsDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone=dict(type='mmpretrain.DenseNet', arch='161'),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        num_classes=None,  # the class count of the dataset
        in_channels=2208,
        loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0)),
    init_cfg=dict(type='Pretrained', checkpoint=densenet161_checkpoint))

densenet161_train_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(256, 256)),
    dict(type='RandomCrop', size=224),
    dict(type='RandomFlip', prob=0.5),
    dict(type='mmpretrain.PackInputs'),
]
densenet161_test_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(256, 256)),
    dict(type='CenterCrop', size=224),
    dict(type='mmpretrain.PackInputs'),
]
densenet161_test_evaluator = dict(
    _delete_=True, type='mmpretrain.Accuracy', topk=(1, ))

densenet161_epochs = 20
densenet161_stage_cub = dict(
    type='TrainStage',
    cfg=dict(
        model=dict(_delete_=True, **densenet161_classifier),
        train_dataloader=dict(
            batch_size=16, dataset=dict(pipeline=densenet161_train_pipeline)),
        test_dataloader=dict(
            dataset=dict(pipeline=densenet161_test_pipeline)),
        test_evaluator=densenet161_test_evaluator,
        optim_wrapper=dict(
            _delete_=True,
            optimizer=dict(
                type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4,
                nesterov=True),
            paramwise_cfg=dict(
                custom_keys={'backbone': dict(lr_mult=0.1)})),
        # lr x (1 - epoch / 20) for the epochs 0 .. 19 (MMEngine's LinearLR
        # reaches end_factor at epoch end - 1).
        param_scheduler=[
            dict(type='LinearLR', by_epoch=True, begin=0,
                 end=densenet161_epochs, start_factor=1.0,
                 end_factor=1.0 / densenet161_epochs)
        ],
        train_cfg=dict(max_epochs=densenet161_epochs)))

densenet161_stage_imagenet = dict(
    type='TrainStage',
    train=False,
    cfg=dict(
        model=dict(
            _delete_=True,
            **dict(densenet161_classifier,
                   head=dict(densenet161_classifier['head'],
                             num_classes=1000))),
        test_dataloader=dict(
            dataset=dict(pipeline=densenet161_test_pipeline)),
        test_evaluator=densenet161_test_evaluator))
