# What ISIC changes in a SPOL pipeline config (configs/spol/), applied by
# configs/isic/*: a child inheriting both files sets
#   optim_wrapper = _base_.isic_optim_wrapper
#   model = _base_.isic_model
#   stages = _base_.isic_stages
# (the SimilarClassSampler's batch_size must equal the train batch size).
#   cam          the MFF baseline of section 3.2 (multiplicative fusion of
#                stages 3-5, no MCA, no auxiliary loss) trained with
#                L_CE + lambda L_ICFS (Eq. 5-6, lambda = 1); before training,
#                ClassSimilarityHook computes the class similarity S as
#                section 3.3 says, from an ImageNet-pretrained ResNet-50:
#                128-d image vectors (the 2048-d global average of its last
#                stage projected on the 128 principal components of the
#                training images), averaged per class, cosine; then the
#                similar sets M_i = {j: S_ij > gamma} (gamma = 0.3), saved in
#                the stage folder and reloaded on resume (configs/isic/
#                README.md: the choices; `isic_class_similarity` below, with
#                extractor=None and dim=None, uses the trained model's own
#                features instead); SimilarClassSampler puts similar classes
#                in a batch
#   pseudo_masks NMF masks (section 3.5): per class, rank-1 NMF of the
#                training images' features, each image projected on theta2;
#                double threshold 0.5 / 0.004 as in SPOL
#   seg          class-agnostic segmentation (section 3.6: fused f3-f5, 1x1
#                conv, no MCA), masked BCE
# Section 4.1: SGD with a constant lr of 0.02.
isic_optim_wrapper = dict(
    _delete_=True,
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=1e-4))
isic_model = dict(
    neck=dict(mca=None),
    aux_head=None,
    feature_loss=dict(type='ICFSLoss', loss_weight=1.0))
# Offline the ResNet-50 keeps its random initialisation (with a warning) and
# S is meaningless: point init_cfg.checkpoint at a local copy of the
# torchvision weights.
isic_class_similarity = dict(
    type='ClassSimilarityHook',
    gamma=0.3,
    extractor=dict(
        type='mmpretrain.ResNet',
        depth=50,
        out_indices=(3, ),
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    dim=128)
isic_stages = dict(
    cam=dict(cfg=dict(
        train_dataloader=dict(sampler=dict(
            _delete_=True, type='SimilarClassSampler', batch_size=32,
            samples_per_class=4)),
        custom_hooks=[
            dict(type='NumClassCheckHook'),
            isic_class_similarity,
        ])),
    pseudo_masks=dict(
        _delete_=True,
        type='NMFPseudoMaskStage',
        localizer='cam',
        fg_threshold=0.5,
        bg_threshold=0.004),
    seg=dict(cfg=dict(model=dict(neck=dict(mca=None)))),
)
