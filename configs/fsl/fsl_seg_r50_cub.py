# FSL-Seg on CUB-200-2011 (paper 000, table 2: MaxBoxAccV2 89.4) in the CUB
# release layout that every CUB config reads (data_root = CUB_200_2011). The
# release has no train-fullsup split: the segmentor trains on 5 images per
# class drawn from the train split (SubsampleDataset, seed 0; table 2's FSL
# budget for CUB) with their boxes filled into masks, and is tested on test.
# wsolevaluation's own train-fullsup (CUBV2): fsl_seg_r50_cubv2.py. See
# _base_/methods/fsl_seg_r50.py and README.md.
_base_ = ['../_base_/datasets/cub.py', '../_base_/methods/fsl_seg_r50.py']

fsl_images_per_class = 5
fsl_seg_train_pipeline = [
    *_base_.train_pipeline[:-1],
    dict(type='BoxesToMask'),
    _base_.train_pipeline[-1],
]
train_dataloader = dict(
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        _delete_=True,
        type='SubsampleDataset',
        num_per_class=fsl_images_per_class,
        seed=0,
        dataset=dict(
            type={{_base_.dataset_type}},
            data_root={{_base_.data_root}},
            split='train',
            pipeline=fsl_seg_train_pipeline)))
