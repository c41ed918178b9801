# CutMix on VGG16-GAP, CUB-200-2011: the CAM config with
# wsolevaluation's CutMix (beta 1, every batch mixed; num_classes None: the
# dataset's; configs/cutmix/README.md).
_base_ = '../cam/cam_vgg16_cub.py'

model = dict(
    data_preprocessor=dict(
        batch_augments=dict(type='CutMix', num_classes=None, alpha=1.0,
                            prob=1.0)))
