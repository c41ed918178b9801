# CUB-200-2011 in its original release layout, wsolevaluation pipelines
# (wsoleval_pipelines.py): train = resize 256x256, random crop 224, flip;
# test = warp to 224x224. The older protocol's test pipeline (resize 256x256,
# centre crop 224) is test_pipeline_center_crop; a child config selects it:
#   test_dataloader = dict(
#       dataset=dict(pipeline={{_base_.test_pipeline_center_crop}}))
_base_ = './wsoleval_pipelines.py'

dataset_type = 'CUB'
data_root = 'data/CUB_200_2011'

train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, split='train'))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, split='test'))
test_dataloader = val_dataloader
