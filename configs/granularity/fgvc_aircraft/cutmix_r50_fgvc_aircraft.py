# CutMix on ResNet-50, FGVC-Aircraft, for the label-granularity study: the
# CAM config with wsolevaluation's CutMix (beta 1, every batch mixed).
_base_ = './cam_r50_fgvc_aircraft.py'

model = dict(
    data_preprocessor=dict(
        batch_augments=dict(type='CutMix', num_classes=None, alpha=1.0,
                            prob=1.0)))
