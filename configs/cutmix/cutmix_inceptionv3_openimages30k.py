# CutMix on InceptionV3, OpenImages30k: the CAM config with
# wsolevaluation's CutMix (beta 1, every batch mixed; num_classes None: the
# dataset's; configs/cutmix/README.md).
_base_ = '../cam/cam_inceptionv3_openimages30k.py'

model = dict(
    data_preprocessor=dict(
        batch_augments=dict(type='CutMix', num_classes=None, alpha=1.0,
                            prob=1.0)))
