# Hide-and-Seek on VGG16-GAP, iNatLoc500 (species level): the CAM config with
# wsolevaluation's HaS (4x4-pixel patches of the normalised training batch
# hidden with probability 0.5; configs/has/README.md).
_base_ = '../cam/cam_vgg16_inatloc500.py'

model = dict(
    data_preprocessor=dict(
        batch_augments=dict(type='HidePatches', grid_sizes=(4, ),
                            drop_rate=0.5)))
