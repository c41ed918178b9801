# Hide-and-Seek on InceptionV3, iNatLoc500 (species level): the CAM config with
# wsolevaluation's HaS (4x4-pixel patches of the normalised training batch
# hidden with probability 0.5; configs/has/README.md).
_base_ = '../cam/cam_inceptionv3_inatloc500.py'

model = dict(
    data_preprocessor=dict(
        batch_augments=dict(type='HidePatches', grid_sizes=(4, ),
                            drop_rate=0.5)))
