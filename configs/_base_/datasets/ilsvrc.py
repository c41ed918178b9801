# ImageNet (ILSVRC 2012) in the wsolevaluation metadata layout:
# data_root holds the images (train/, val/, val2/), metadata_root the
# train/ val/ test/ folders of wsolevaluation's metadata/ILSVRC.
# Splits: train = train-weaksup (proxy=True: image_ids_proxy.txt), val =
# train-fullsup (ImageNetV2), test = ImageNet "val".
# wsolevaluation pipelines (wsoleval_pipelines.py): train = resize 256x256,
# random crop 224, flip; test = warp to 224x224. The older protocol's test
# pipeline (resize 256x256, centre crop 224) is test_pipeline_center_crop; a
# child config selects it:
#   test_dataloader = dict(
#       dataset=dict(pipeline={{_base_.test_pipeline_center_crop}}))
_base_ = './wsoleval_pipelines.py'

dataset_type = 'ILSVRC'
data_root = 'data/ILSVRC'
# Relative to data_root (data/metadata/ILSVRC by default; data_root=X/ILSVRC
# finds X/metadata/ILSVRC, the layout of the synthetic data).
metadata_root = '../metadata/ILSVRC'

train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root,
                 metadata_root=metadata_root, split='train', proxy=False))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root,
                 metadata_root=metadata_root, split='val'))
test_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root,
                 metadata_root=metadata_root, split='test'))
