# wsolevaluation's `--large_feature_map True` ResNet-50 CAM on CUB: layer3
# and layer4 both keep stride 1, 28x28 maps at 224 input (the default,
# cam_r50_cub.py, has 14x14). Everything else as cam_r50_cub.py.
_base_ = './cam_r50_cub.py'

model = dict(backbone=dict(large_feature_map=True))
