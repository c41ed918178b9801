# SPOL (Wei et al., "Shallow Feature Matters for Weakly Supervised Object
# Localization", CVPR 2021) on CUB-200-2011, Alg. 1 as a multi-stage
# pipeline (tools/train.py runs every stage in order; --resume skips the
# finished ones, --stage NAME runs one):
#   cam          MFF-Net_1 trained with L_cls + L_aux (section 3.2-3.5)
#   pseudo_masks GT-class CAMs of the training images, Gaussian-enhanced
#                (GPPL, Eq. 5-6), split by the double threshold 0.5 / 0.004
#   seg          MFF-Net_2, class-agnostic segmentation trained with the
#                masked BCE of Eq. 7 (conflict region ignored)
#   classifier   the separate classifier (any MMPretrain classifier): the
#                EfficientNet-B7 of the official code and of the paper's
#                Table 1 rows, fine-tuned with the official recipe
#                (_base_/models/efficientnet_b7_classifier.py); DenseNet161 in
#                spol_r50_cub_densenet161.py
#   evaluate     boxes from the segmentation masks (largest connected
#                component), classes from the classifier
# Recipe of section 4.2: 32 epochs for each network, constant lr 0.002 for the
# pretrained backbone and 0.02 for the new layers, resize 256 + random crop
# 224 + flip for training, resize 256 + centre crop 224 for testing (the
# classifier stage sets its own recipe).
_base_ = [
    '../_base_/models/mff_net_r50.py',
    '../_base_/models/efficientnet_b7_classifier.py',
    '../_base_/datasets/cub.py',
    '../_base_/default_runtime.py',
]

max_epochs = 32
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))
# Constant learning rates: no param_scheduler.
train_cfg = dict(by_epoch=True, max_epochs=max_epochs)
test_cfg = dict()
# Every network is tested once, after training, by its stage.
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = dict(
    dataset=dict(pipeline=_base_.test_pipeline_center_crop))
default_hooks = dict(checkpoint=dict(interval=4, max_keep_ckpts=2))

# The segmentation stage reads the pseudo masks with the training images and
# moves them with every geometric transform.
seg_train_pipeline = [
    _base_.train_pipeline[0],
    dict(type='LoadPseudoMask', mask_dir='stage:pseudo_masks'),
    *_base_.train_pipeline[1:],
]
seg_model = dict(
    _delete_=True,
    type='ClassAgnosticSegmentor',
    data_preprocessor=_base_.model.data_preprocessor,
    backbone=_base_.model.backbone,
    neck=_base_.model.neck,
    head=dict(type='ClassAgnosticSegHead', in_channels=512),
    test_cfg=dict(mask_threshold=0.5, box_mode='largest_component'))
stages = dict(
    cam=dict(type='TrainStage'),
    pseudo_masks=dict(
        type='CAMPseudoMaskStage',
        localizer='cam',
        enhance=dict(type='GaussianPriorEnhance', fg_threshold=0.7),
        fg_threshold=0.5,
        bg_threshold=0.004),
    seg=dict(
        type='TrainStage',
        cfg=dict(
            model=seg_model,
            train_dataloader=dict(
                dataset=dict(pipeline=seg_train_pipeline)),
            test_evaluator=dict(loc_boxes='predicted'))),
    classifier=_base_.efficientnet_b7_stage_cub,
    evaluate=dict(
        type='EvaluateStage', localizer='seg', classifier='classifier'),
)
