# SLT-Net's stages and recipe on CUB-200-2011 (Guo et al., CVPR 2021,
# sections 3-4), for the configs of configs/slt_net/, which add the networks
# (_base_/models/slt_*.py) and the classifier's model and lr groups:
#   localization  the localizer (SMT + VST, top-K ACAM) and the box regressor
#                 on its pseudo boxes, trained synchronously (the joint
#                 SLTNet); tested as the localizer: its top-K ACAM's GT-known
#                 Loc (threshold 0.2, IoU > 0.5), MaxBoxAcc and MaxBoxAccV2
#   classifier    the separate classifier (section 4.1): ImageNet weights, a
#                 new output layer, fine-tuned, tested on ten crops
#   evaluate      the regressor's boxes (single crop) with the classifier's
#                 classes: GT-known / Top-1 / Top-5 Loc (IoU > 0.5), and
#                 MaxBoxAcc(V2) of the box as a binary map
# Recipe (section 4.1): SGD momentum 0.9, weight decay 5e-4, lr 2e-4, batch
# 16, 4 epochs; 256 -> 224 (the InceptionV3 configs: 320 -> 299).
_base_ = [
    '../datasets/cub.py',
    '../datasets/slt_pipelines.py',
    '../schedules/slt_sgd_4e.py',
    '../default_runtime.py',
]

train_dataloader = dict(
    batch_size=16, dataset=dict(pipeline=_base_.slt_train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=_base_.slt_test_pipeline))
# Every network is tested once, after training, by its stage.
val_dataloader = None
val_cfg = None
val_evaluator = None
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=1))

# The classifier's fine-tuning is not in the paper (our choice): 20 epochs,
# batch 16, SGD momentum 0.9 Nesterov, weight decay 1e-4, lr 0.01 for the new
# output layer and x0.1 for the pretrained layers (the leaves' lr groups),
# decayed linearly per epoch, as our other classifier stages
# (_base_/models/densenet161_classifier.py).
classifier_epochs = 20
stages = dict(
    localization=dict(type='TrainStage'),
    classifier=dict(
        type='TrainStage',
        tta=True,
        cfg=dict(
            train_dataloader=dict(dataset=dict(
                pipeline=_base_.slt_classifier_train_pipeline)),
            test_evaluator=dict(
                _delete_=True, type='mmpretrain.Accuracy', topk=(1, 5)),
            optim_wrapper=dict(
                _delete_=True,
                optimizer=dict(type='SGD', lr=0.01, momentum=0.9,
                               weight_decay=1e-4, nesterov=True)),
            param_scheduler=[
                dict(type='LinearLR', by_epoch=True, begin=0,
                     end=classifier_epochs, start_factor=1.0,
                     end_factor=1.0 / classifier_epochs)
            ],
            train_cfg=dict(max_epochs=classifier_epochs))),
    evaluate=dict(
        type='EvaluateStage',
        localizer='localization',
        classifier='classifier',
        model_test_cfg=dict(predict_with='regressor'),
        evaluator=dict(_base_.test_evaluator, loc_boxes='predicted')),
)

# What the ILSVRC configs change (slt_*_ilsvrc.py): the dataset (the
# wsolevaluation metadata layout; metadata_root is relative to data_root, so
# data_root=X/ILSVRC finds X/metadata/ILSVRC), alpha 0.2 and K 100 (section
# 4.1), 2 epochs, and the ImageNet classifier as it is ("directly use the
# pre-trained weights provided by PyTorch"): not trained, tested on ten
# crops.
slt_ilsvrc_dataset = dict(type='ILSVRC', data_root='data/ILSVRC',
                          metadata_root='../metadata/ILSVRC')
slt_ilsvrc_topk = 100
slt_ilsvrc_model = dict(localizer=dict(
    head=dict(loss=dict(alpha=0.2, topk=slt_ilsvrc_topk)),
    test_cfg=dict(score_map_topk=slt_ilsvrc_topk)))
slt_ilsvrc_stages = dict(classifier=dict(
    train=False, cfg=dict(model=dict(backbone=dict(num_classes=1000)))))
