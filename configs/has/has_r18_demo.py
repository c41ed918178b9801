# Hide-and-Seek on the demo data: the CAM demo (cam_r18_demo.py) with 32x32
# patches of the normalised training batch hidden with probability 0.5 (the
# "HaS-32" of the papers; wsolevaluation's default patch is 4 px, the
# original HaS draws a size from (0, 16, 32, 44, 56) per image).
_base_ = '../cam/cam_r18_demo.py'

model = dict(
    data_preprocessor=dict(
        type='WSOLDataPreprocessor',
        batch_augments=dict(type='HidePatches', grid_sizes=(32, ),
                            drop_rate=0.5)))
