# FGVC-Aircraft for the label-granularity study: train on `train`, select
# models on `val`, test on `test` (the release's three disjoint splits, every
# image with its box); `level` (variant, family or manufacturer) reaches the
# three datasets from a top-level `level=` option.
_base_ = './fgvc_aircraft.py'

level = 'variant'
train_dataloader = dict(dataset=dict(split='train', level=level))
val_dataloader = dict(dataset=dict(split='val', level=level))
test_dataloader = dict(
    dataset=dict(
        type={{_base_.dataset_type}}, data_root={{_base_.data_root}},
        split='test', level=level, crop_banner=False,
        pipeline={{_base_.test_pipeline}}))
