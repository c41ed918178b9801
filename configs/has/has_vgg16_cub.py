# Hide-and-Seek on VGG16-GAP, CUB-200-2011: the CAM config with
# wsolevaluation's HaS (4x4-pixel patches of the normalised training batch
# hidden with probability 0.5; configs/has/README.md).
_base_ = '../cam/cam_vgg16_cub.py'

model = dict(
    data_preprocessor=dict(
        batch_augments=dict(type='HidePatches', grid_sizes=(4, ),
                            drop_rate=0.5)))
