# Table 5, "complete" (CUB: 85.6 GT-known Loc; also Table 6 "Ours-VGG16"):
# the localizer of slt_vgg16_cub.py alone (SMT + top-K ACAM + VST, no
# regressor), tested on its top-K ACAM (GT-known Loc at threshold 0.2, IoU >
# 0.5; MaxBoxAcc and MaxBoxAccV2 for the threshold sweep). The base of the
# other Table 5 columns and of the K / alpha sweeps of Fig. 4.
_base_ = './slt_vgg16_cub.py'

model = dict(regressor=None)
stages = dict(_delete_=True, localization=dict(type='TrainStage'))
