# Hide-and-Seek in the demo study: the demo CAM run with 16x16 patches of
# the normalised 112x112 batch hidden with probability 0.5 (HaS-32 at half
# the resolution).
_base_ = './cam_r18_synthetic_inatloc.py'

model = dict(
    data_preprocessor=dict(
        type='WSOLDataPreprocessor',
        batch_augments=dict(type='HidePatches', grid_sizes=(16, ),
                            drop_rate=0.5)))
