# The separate classifier of SPOL's official code (github weijun88/SPOL,
# cub200-cls/, imagenet-cls/) and of ISIC (section 3.1): EfficientNet-B7 with
# ImageNet weights, as an MMPretrain classifier, and its recipe as stages of a
# multi-stage config (configs/spol/spol_r50_cub.py: `classifier`):
#   efficientnet_b7_stage_cub       fine-tuned 20 epochs on images warped to
#                                   685x685, random 600x600 crops, flip;
#                                   SGD (momentum 0.9, Nesterov, wd 1e-4),
#                                   batch 16, lr decayed linearly per epoch
#                                   (x (1 - epoch / 20)); tested on the whole
#                                   685x685 image (no crop)
#   efficientnet_b7_stage_imagenet  the ImageNet model as it is, not trained
#                                   (TrainStage train=False), tested on the
#                                   whole 685x685 image
# The official code gives its lr 0.05 to two tensors only, the bias of the
# fully connected layer and the weight of the last BN (its `head` list:
# `_fc.bias`, `_bn1.weight`), and 0.005 to every other one, the fc weight
# included; the custom keys below reproduce that. Left out: the official
# network's dropout 0.5 before the fc layer (MMPretrain's LinearClsHead has
# none) and apex mixed precision (--amp). Its stochastic depth (0.2) is
# drop_path_rate.
# Weights: MMPretrain's conversion of the TF AutoAugment checkpoint
# ('efficientnet-b7_3rdparty_8xb32-aa_in1k', 84.38 top-1), the one that
# efficientnet_pytorch's from_pretrained('efficientnet-b7') of the official
# code loads too. Downloaded into the torch hub cache when online; offline
# the model keeps its random initialisation with a warning. On an offline
# machine point the checkpoint at a local copy, e.g.
#   --cfg-options stages.classifier.cfg.model.init_cfg.checkpoint=b7.pth
# The whole model is initialised from it (weights in MMPretrain's format,
# `backbone.` / `head.` keys); on CUB the 1000-class fc does not fit the
# 200-class head, which MMEngine reports as a size mismatch and leaves at its
# initialisation.
efficientnet_b7_checkpoint = 'https://download.openmmlab.com/mmclassification/v0/efficientnet/efficientnet-b7_3rdparty_8xb32-aa_in1k_20220119-bf03951c.pth'  # noqa: E501
efficientnet_b7_classifier = dict(
    type='mmpretrain.ImageClassifier',
    data_preprocessor=dict(
        type='mmpretrain.ClsDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    # with_cp: activations recomputed in the backward pass (same results,
    # RNG state kept): a training step at 600 px takes 3.7 GB at batch 2
    # instead of 11.3 GB (measured on the CPU), so the recipe's batch fits.
    backbone=dict(
        type='mmpretrain.EfficientNet', arch='b7', drop_path_rate=0.2,
        with_cp=True),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        num_classes=None,  # the class count of the dataset
        in_channels=2560,
        loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0)),
    init_cfg=dict(type='Pretrained', checkpoint=efficientnet_b7_checkpoint))

efficientnet_b7_train_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(685, 685)),
    dict(type='RandomCrop', size=600),
    dict(type='RandomFlip', prob=0.5),
    dict(type='mmpretrain.PackInputs'),
]
efficientnet_b7_test_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(685, 685)),
    dict(type='mmpretrain.PackInputs'),
]
# The classifier's own test reports top-1 accuracy (top-5 needs 5 classes;
# the final stage reports Top-5 Loc) and saves class_scores.pkl.
efficientnet_b7_test_evaluator = dict(
    _delete_=True, type='mmpretrain.Accuracy', topk=(1, ))

efficientnet_b7_epochs = 20
efficientnet_b7_stage_cub = dict(
    type='TrainStage',
    cfg=dict(
        model=dict(_delete_=True, **efficientnet_b7_classifier),
        train_dataloader=dict(
            batch_size=16,
            dataset=dict(pipeline=efficientnet_b7_train_pipeline)),
        test_dataloader=dict(
            dataset=dict(pipeline=efficientnet_b7_test_pipeline)),
        test_evaluator=efficientnet_b7_test_evaluator,
        optim_wrapper=dict(
            _delete_=True,
            optimizer=dict(
                type='SGD', lr=0.005, momentum=0.9, weight_decay=1e-4,
                nesterov=True),
            paramwise_cfg=dict(custom_keys={
                'head.fc.bias': dict(lr_mult=10.0),
                # the last 1x1 conv block's BN (efficientnet_pytorch `_bn1`)
                'backbone.layers.6.bn.weight': dict(lr_mult=10.0),
            })),
        # lr x (1 - epoch / 20) for the epochs 0 .. 19 (MMEngine's LinearLR
        # reaches end_factor at epoch end - 1).
        param_scheduler=[
            dict(type='LinearLR', by_epoch=True, begin=0,
                 end=efficientnet_b7_epochs, start_factor=1.0,
                 end_factor=1.0 / efficientnet_b7_epochs)
        ],
        train_cfg=dict(max_epochs=efficientnet_b7_epochs)))

efficientnet_b7_stage_imagenet = dict(
    type='TrainStage',
    train=False,
    cfg=dict(
        model=dict(
            _delete_=True,
            **dict(efficientnet_b7_classifier,
                   head=dict(efficientnet_b7_classifier['head'],
                             num_classes=1000))),
        test_dataloader=dict(
            dataset=dict(pipeline=efficientnet_b7_test_pipeline)),
        test_evaluator=efficientnet_b7_test_evaluator))
