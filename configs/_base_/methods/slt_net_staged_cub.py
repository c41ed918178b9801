# SLT-Net's PSOL-style stages (Tables 6-7: "following PSOL", regressors and
# classifiers of other backbones on the localizer's boxes), for the configs
# slt_{r50,densenet161}_{cub,ilsvrc}.py, which add the localizer
# (_base_/models/slt_*.py), the regressor's backbone and the classifier:
#   localizer     the SLT-Net localizer alone (SMT + VST, top-K ACAM), tested
#                 on its top-K ACAM
#   pseudo_boxes  its box of every training image (top-K ACAM, min-max,
#                 threshold 0.2, largest connected component) on the whole
#                 image warped to its test input, mapped back to the original
#                 image and written once (pseudo_boxes.json)
#   regressor     a BoxRegressor trained on those boxes (LoadPseudoBox; the
#                 transforms move them with the image), 256 -> 224, the
#                 localization recipe (SGD lr 2e-4, batch 16, 4 / 2 epochs);
#                 boxes normalised by the localizer's stride m = 16
#   classifier    the ten-crop classifier stage of slt_net_cub.py
#   evaluate      the regressor's boxes with the classifier's classes
_base_ = ['./slt_net_cub.py']

slt_regressor_train_pipeline = [
    _base_.slt_train_pipeline[0],
    dict(type='LoadPseudoBox', box_file='stage:pseudo_boxes'),
    *_base_.slt_train_pipeline[1:4],
    dict(type='PackWSOLInputs'),
]
stages = dict(
    _delete_=True,
    localizer=dict(type='TrainStage', cfg=dict(model=dict(regressor=None))),
    pseudo_boxes=dict(type='PseudoBoxStage', localizer='localizer',
                      threshold=0.2, box_mode='largest_component'),
    regressor=dict(
        type='TrainStage',
        cfg=dict(
            model=dict(
                _delete_=True,
                type='BoxRegressor',
                data_preprocessor=dict(
                    type='WSOLDataPreprocessor',
                    mean=[123.675, 116.28, 103.53],
                    std=[58.395, 57.12, 57.375],
                    bgr_to_rgb=True),
                backbone=dict(),  # the config's
                head=dict(type='BoxRegressionHead', in_channels=None),
                box_normalizer=dict(mode='stride', stride=16)),
            train_dataloader=dict(
                dataset=dict(pipeline=slt_regressor_train_pipeline)),
            test_dataloader=dict(
                dataset=dict(pipeline=_base_.slt_test_pipeline)),
            test_evaluator=dict(loc_boxes='predicted'))),
    classifier=dict(
        _base_.stages.classifier,
        cfg=dict(_base_.stages.classifier.cfg,
                 tta_pipeline=_base_.tta_pipeline_224)),
    evaluate=dict(
        type='EvaluateStage',
        localizer='regressor',
        classifier='classifier',
        evaluator=dict(_base_.test_evaluator, loc_boxes='predicted')),
)
