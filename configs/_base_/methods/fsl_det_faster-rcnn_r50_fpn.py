# FSL-Det of paper 000 (Cole et al., ECCV 2022, sec. 5.1 / table 2): the
# few-shot supervised baseline, MMDetection's own Faster R-CNN R50-FPN (model
# and 1x schedule inherited from MMDetection's files, hence `_scope_='mmdet'`)
# trained on the train-fullsup boxes (our `val` split) with ONE class-agnostic
# foreground class, tested on `test` with WSOLMetric's metrics through
# DetectionWSOLMetric (score map = per pixel the highest confidence of a
# detection covering it; GT-known Loc with the top detection). The dataset
# configs fsl_det_faster-rcnn_r50_fpn_{cub,ilsvrc,inatloc500}.py add the data.
# Scope: MMDetection's loops (train_cfg / val_cfg / test_cfg carry
# `_scope_='mmdet'`) build their dataloaders and evaluators inside the mmdet
# scope, so the datasets and the metric say `_scope_='wsol_mm'`; inside a
# dataset, `Resize` is ours and `mmdet.Resize` MMDetection's.
_base_ = [
    'mmdet::_base_/models/faster-rcnn_r50_fpn.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../default_runtime.py',
]

# The protocol's input (224x224 for every method of table 2): the detector
# trains and tests on images warped to it.
input_size = 224
model = dict(roi_head=dict(bbox_head=dict(num_classes=1)))

det_meta_keys = ('img_id', 'img_path', 'sample_idx', 'gt_label', 'ori_shape',
                 'img_shape', 'scale_factor', 'flip', 'flip_direction',
                 'homography_matrix')
# Our dataset -> ToDetInstances (label 0 for every box) -> MMDetection's own
# transforms.
fsl_det_train_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='ToDetInstances'),
    dict(type='mmdet.Resize', scale=(input_size, input_size),
         keep_ratio=False),
    dict(type='mmdet.RandomFlip', prob=0.5),
    dict(type='mmdet.PackDetInputs', meta_keys=det_meta_keys),
]
# The protocol's warp with our Resize (GT boxes scaled in float64 as the
# other methods' are; see DetectionWSOLMetric), then MMDetection's packing.
fsl_det_test_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(input_size, input_size)),
    dict(type='ToDetInstances'),
    dict(type='mmdet.PackDetInputs', meta_keys=det_meta_keys),
]

# MMDetection's 1x recipe: SGD lr 0.02 for a total batch of 16 (2 images x 8
# GPUs), 500 warm-up iterations, x0.1 at epochs 8 and 11 of 12. The lr is
# scaled with the total batch (auto_scale_lr, mmdet's linear rule).
auto_scale_lr = dict(enable=True, base_batch_size=16)
# D_f is the training set: the test split is evaluated once, after the last
# epoch (WSOL configs of CUB do the same; the paper selects nothing here).
train_cfg = dict(val_interval=12)
default_hooks = dict(checkpoint=dict(interval=12, max_keep_ckpts=1))
# The detector has no image classes: the WSOL NumClassCheckHook has no head
# to check.
custom_hooks = []
