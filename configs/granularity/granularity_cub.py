# The label-granularity grid on CUB-200-2011 (paper 000's supplement: coarse
# training helps CUB, whose hierarchy is consistent). CUB has no levels of
# its own: give a mapping file from its 200 class names to coarser levels
# (LabelHierarchy.from_file: a header naming the levels fine -> coarse, e.g.
# `species,genus,family,order`, then one line per species), and every
# dataloader is relabelled at each run's level by RelabelDataset:
#   python tools/analysis_tools/granularity_study.py \
#       configs/granularity/granularity_cub.py \
#       --work-dir work_dirs/granularity_cub
# The file's first level must hold CUB's class names (classes.txt without
# the numeric prefix, e.g. `Black_footed_Albatross`).
# Model selection: CUB's release has no train-fullsup split, and the method
# configs validate on CUB's test split (_base_/datasets/cub.py). For the
# protocol's selection on wsolevaluation's CUBV2, give the runs a
# val_dataloader on it in `run_options` (e.g. 'val_dataloader.dataset':
# a RelabelDataset over WSOLMetadataDataset(split='val')).
_base_ = './granularity_inatloc500.py'

study = dict(
    _delete_=True,
    name='granularity_cub',
    dataset='CUB-200-2011',
    levels=['species', 'genus', 'family', 'order'],
    lrs=[1e-1, 1e-2, 1e-3, 1e-4, 1e-5],
    seeds=[0],
    hierarchy='data/CUB_200_2011/cub_hierarchy.txt',
    methods=dict(
        CAM='../cam/cam_r50_cub.py',
        HaS='../has/has_r50_cub.py',
        SPG='../spg/spg_r50_cub.py',
        ADL='../adl/adl_r50_cub.py',
        CutMix='../cutmix/cutmix_r50_cub.py'),
    select='max_box_acc_v2',
    cam_agg=dict(method='CAM', levels=['genus', 'family', 'order']),
    map_statistics=dict(method='CAM'),
    baselines={
        'Center': '../center/center_gaussian_cub.py',
        'FSL-Seg': '../fsl/fsl_seg_r50_cub.py',
        'FSL-Det': '../fsl/fsl_det_faster-rcnn_r50_fpn_cub.py',
    },
    paper_table2=dict(
        CAM=63.0, HaS=64.7, SPG=60.4, ADL=58.4, CutMix=62.8, Center=56.8,
        **{'FSL-Seg': 89.4, 'FSL-Det': 95.4}))
