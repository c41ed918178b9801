# MFF-Net (SPOL, Wei et al., CVPR 2021, section 3.2-3.5, Fig. 4b): ResNet-50
# stages 3-5 (strides 8, 16, 32) each reduced to 512 channels, MCA, fused by
# element-wise multiplication at stride 8 (28x28 maps at 224 input), a CAM
# head on the fused map and an auxiliary one on the deepest branch
# (L_c = L_cls + L_aux). The backbone returns all four stages so that the
# Fuse1-Fuse4 ablations (table 2) only change `num_fused`.
model = dict(
    type='MFFNet',
    data_preprocessor=dict(
        type='ImgDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='mmpretrain.ResNet',
        depth=50,
        out_indices=(0, 1, 2, 3),
        # ImageNet weights; offline, a warning and a random initialisation.
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    neck=dict(
        type='MFFNeck',
        in_channels=[256, 512, 1024, 2048],
        out_channels=512,
        num_fused=3,
        fusion='mul',
        mca=dict(latent_channels=256)),
    # num_classes None: the class count of the dataset (200 for CUB).
    head=dict(type='CAMHead', num_classes=None, in_channels=512),
    aux_head=dict(type='CAMHead', num_classes=None, in_channels=512),
    test_cfg=dict(topk=1, cam_threshold=0.2))
