# SLT-Net on the synthetic demo data, every stage on the CPU in a few
# minutes: the stages of slt_vgg16_cub.py (localizer + box regressor trained
# jointly, ten-crop classifier, evaluate) with narrow ResNet-18 networks (base
# width 32) trained from scratch, 4 classes, and the demos' optimizer (the
# paper's lr 2e-4 assumes ImageNet weights). K = 2 (of 4 classes) for SMT and
# the top-K ACAM. Inputs of 112x112 (resize 128, crop 112) keep the three
# networks' iterations (the input, its second view, the regressor) quick;
# the feature maps keep 14x14 (stride 8).
#   python tools/train.py configs/slt_net/slt_r18_demo.py
_base_ = ['./slt_vgg16_cub.py']

demo_train_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(128, 128)),
    dict(type='RandomCrop', size=112),
    dict(type='RandomFlip', prob=0.5),
    dict(_base_.slt_second_view, size_divisor=8),
    dict(type='PackWSOLInputs'),
]
demo_test_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(128, 128)),
    dict(type='CenterCrop', size=112),
    dict(type='PackWSOLInputs'),
]

data_root = 'data/synthetic_cub'
synthetic = dict(num_classes=4, train_per_class=60, test_per_class=20, seed=0)
demo_dataset = dict(type='SyntheticCUB', data_root=data_root,
                    generator=synthetic)
train_dataloader = dict(
    batch_size=16, num_workers=2,
    dataset=dict(demo_dataset, pipeline=demo_train_pipeline))
test_dataloader = dict(
    batch_size=32, num_workers=2,
    dataset=dict(demo_dataset, pipeline=demo_test_pipeline))

demo_backbone = dict(
    _delete_=True,
    type='mmpretrain.ResNet',
    depth=18,
    base_channels=32,
    strides=(1, 2, 1, 1),
    out_indices=(3, ),
    init_cfg=None)
demo_topk = 2
model = dict(
    localizer=dict(
        backbone=demo_backbone,
        head=dict(in_channels=256, loss=dict(topk=demo_topk)),
        test_cfg=dict(score_map_topk=demo_topk)),
    # L_VST on min-max normalised maps: on raw CAMs (the paper's) a network
    # trained from scratch shrinks its CAMs, and with them its logits, to
    # make the views agree (measured: chance accuracy after 45 iterations
    # with beta 1, divergence with beta 10 at this lr; 94 % with
    # normalize=True).
    vst_loss=dict(normalize=True),
    # The regressor's fc layers read a 4x4 grid of the features instead of
    # their global average: from scratch, GAP features carry too little of
    # the object's position (measured: test GT-known Loc 7.5 with GAP, 98.75
    # with the grid, 150 iterations on the GT boxes).
    regressor=dict(
        backbone=demo_backbone,
        head=dict(in_channels=256, pool_size=4),
        box_normalizer=dict(stride=8)))

max_epochs = 10
train_cfg = dict(max_epochs=max_epochs)
optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=0.02, momentum=0.9, weight_decay=5e-4, nesterov=True))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, end=max_epochs,
         T_max=max_epochs - 1),
]
default_hooks = dict(logger=dict(interval=5))

# The separate classifier: a narrow ResNet-18 from scratch (the ResNet of
# _base_/models/resnet50_classifier.py), top-1 only (Top-5 needs 5 classes).
demo_classifier = dict(
    type='mmpretrain.ImageClassifier',
    data_preprocessor=_base_.slt_classifier.data_preprocessor,
    backbone=dict(type='mmpretrain.ResNet', depth=18, base_channels=32),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='mmpretrain.LinearClsHead', num_classes=None,
              in_channels=256,
              loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0)))
tta_pipeline = [
    *demo_test_pipeline[:2],
    dict(type='TenCrop', size=112, pack=[dict(type='mmpretrain.PackInputs')]),
]
classifier_epochs = 6
stages = dict(
    classifier=dict(cfg=dict(
        model=dict(_delete_=True, **demo_classifier),
        train_dataloader=dict(dataset=dict(pipeline=[
            *demo_train_pipeline[:4], dict(type='mmpretrain.PackInputs')])),
        test_evaluator=dict(topk=(1, )),
        optim_wrapper=dict(
            optimizer=dict(lr=0.05),
            paramwise_cfg=dict(_delete_=True)),
        param_scheduler=[
            dict(type='LinearLR', by_epoch=True, begin=0,
                 end=classifier_epochs, start_factor=1.0,
                 end_factor=1.0 / classifier_epochs)
        ],
        train_cfg=dict(max_epochs=classifier_epochs))))
