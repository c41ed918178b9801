# CutMix on VGG16-GAP, iNatLoc500 (species level): the CAM config with
# wsolevaluation's CutMix (beta 1, every batch mixed; num_classes None: the
# dataset's; configs/cutmix/README.md).
_base_ = '../cam/cam_vgg16_inatloc500.py'

model = dict(
    data_preprocessor=dict(
        batch_augments=dict(type='CutMix', num_classes=None, alpha=1.0,
                            prob=1.0)))
