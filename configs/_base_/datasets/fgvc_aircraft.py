# FGVC-Aircraft 2013b in its release layout (the `data` folder); train on
# `trainval`, test on `test`; gt_label at the `variant` level (set the
# dataset's `level` to 'family' or 'manufacturer' for coarser labels).
# wsolevaluation pipelines as for CUB (wsoleval_pipelines.py): train = resize
# 256x256, random crop 224, flip; test = warp to 224x224.
# `test_pipeline_center_crop` is the older protocol (resize 256x256, centre
# crop 224); select it in a config that inherits this one with
#   test_dataloader = dict(
#       dataset=dict(pipeline={{_base_.test_pipeline_center_crop}}))
# Every pipeline starts with CropBottomBanner (right after the image
# loading), which cuts the 20-row copyright banner off an image only when the
# dataset has crop_banner=True (set it in train/val/test datasets alike); the
# default keeps whole images.
_base_ = './wsoleval_pipelines.py'

dataset_type = 'FGVCAircraft'
data_root = 'data/fgvc-aircraft-2013b/data'

train_pipeline, test_pipeline, test_pipeline_center_crop = (
    [pipeline[0], dict(type='CropBottomBanner'), *pipeline[1:]]
    for pipeline in (_base_.train_pipeline, _base_.test_pipeline,
                     _base_.test_pipeline_center_crop))

train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, split='trainval',
                 level='variant', crop_banner=False, pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, split='test',
                 level='variant', crop_banner=False, pipeline=test_pipeline))
test_dataloader = val_dataloader
