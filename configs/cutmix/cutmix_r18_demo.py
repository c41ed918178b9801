# CutMix on the demo data: the CAM demo (cam_r18_demo.py) with one box and
# one partner permutation per training batch, Beta(1, 1) mixing, every batch
# mixed (wsolevaluation's cutmix_beta 1, cutmix_prob 1).
_base_ = '../cam/cam_r18_demo.py'

model = dict(
    data_preprocessor=dict(
        type='WSOLDataPreprocessor',
        batch_augments=dict(type='CutMix', num_classes=4, alpha=1.0,
                            prob=1.0)))
