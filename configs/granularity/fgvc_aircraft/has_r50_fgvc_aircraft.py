# HaS on ResNet-50, FGVC-Aircraft, for the label-granularity study: the CAM
# config with wsolevaluation's Hide-and-Seek (patch 4, drop rate 0.5).
_base_ = './cam_r50_fgvc_aircraft.py'

model = dict(
    data_preprocessor=dict(
        batch_augments=dict(type='HidePatches', grid_sizes=(4, ),
                            drop_rate=0.5)))
