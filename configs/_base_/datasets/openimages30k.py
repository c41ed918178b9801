# OpenImages30k in the wsolevaluation metadata layout: data_root holds the
# images and, next to them, the instance and ignore masks (train/, val/,
# test/); metadata_root the train/ val/ test/ folders of wsolevaluation's
# metadata/OpenImages. Splits: train = train-weaksup, val = train-fullsup,
# test. The masks give gt_mask (LoadWSOLMask, right after the image loading)
# and hence PxAP; LoadWSOLMask also derives one box per instance for the box
# metrics. Set mask_root in the datasets when the masks are elsewhere.
# wsolevaluation pipelines (wsoleval_pipelines.py, LoadWSOLMask added to the
# test ones): train = resize 256x256, random crop 224, flip; test = warp to
# 224x224. The older protocol's test pipeline (resize 256x256, centre crop
# 224) is test_pipeline_center_crop; a child config selects it:
#   test_dataloader = dict(
#       dataset=dict(pipeline={{_base_.test_pipeline_center_crop}}))
_base_ = './wsoleval_pipelines.py'

dataset_type = 'OpenImages30k'
data_root = 'data/OpenImages'
# Relative to data_root (data/metadata/OpenImages by default; data_root=X/OpenImages
# finds X/metadata/OpenImages, the layout of the synthetic data).
metadata_root = '../metadata/OpenImages'

test_pipeline, test_pipeline_center_crop = (
    [pipeline[0], dict(type='LoadWSOLMask'), *pipeline[1:]]
    for pipeline in (_base_.test_pipeline, _base_.test_pipeline_center_crop))

train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root,
                 metadata_root=metadata_root, split='train'))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root,
                 metadata_root=metadata_root, split='val',
                 pipeline=test_pipeline))
test_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root,
                 metadata_root=metadata_root, split='test',
                 pipeline=test_pipeline))
