# The parts of SLT-Net (Guo et al., CVPR 2021) that do not depend on the
# backbone; slt_vgg16.py and slt_inceptionv3.py put them together with a
# model-zoo CAM into the joint model (type='SLTNet').
#   slt_smt_loss       SMTLoss (Eq. 8), CUB: alpha 0.4, K 30 (the ILSVRC
#                      configs: alpha 0.2, K 100)
#   slt_localizer_test the localization map: the top-K averaged CAM (Eq. 9)
#                      with the same K
#   slt_vst_loss       L_VST (Eq. 13), beta = 10
#   slt_pseudo_box     the regressor's target: the localizer's map,
#                      min-max normalised, threshold 0.2, box of the largest
#                      connected component (the paper does not say; CAM's
#                      rule of its section 3.2)
#   slt_regressor      BoxRegressor: GAP + two fully connected layers with
#                      ReLUs -> 4 numbers, smooth L1 (Eqs. 3-4); corners
#                      divided by the localizer's downsampling factor m = 16
#                      (the paper's p = (x1/m, ...)); PSOL's division by the
#                      image size is box_normalizer.mode='image'
#   slt_model          the joint model without its networks
slt_alpha = 0.4
slt_topk = 30
slt_smt_loss = dict(type='SMTLoss', alpha=slt_alpha, topk=slt_topk)
slt_localizer_test = dict(topk=1, cam_threshold=0.2, score_map='topk_mean',
                          score_map_topk=slt_topk)
slt_vst_loss = dict(type='VSTLoss', loss_weight=10.0)
slt_pseudo_box = dict(threshold=0.2, box_mode='largest_component')
slt_regressor = dict(
    type='BoxRegressor',
    head=dict(type='BoxRegressionHead', hidden_channels=512),
    box_normalizer=dict(mode='stride', stride=16))
slt_model = dict(
    type='SLTNet',
    vst_loss=slt_vst_loss,
    pseudo_box=slt_pseudo_box,
    test_cfg=dict(predict_with='localizer'))
# The separate classifier's common part (MMPretrain, the classes from the
# backbone's last fc: its VGG16 and InceptionV3); slt_vgg16.py and
# slt_inceptionv3.py add the backbone and the ImageNet weights.
slt_classifier_base = dict(
    type='mmpretrain.ImageClassifier',
    data_preprocessor=dict(
        type='mmpretrain.ClsDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    head=dict(type='mmpretrain.ClsHead',
              loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0)))
