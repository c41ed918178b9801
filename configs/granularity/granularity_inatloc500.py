# The label-granularity study of Cole et al. (ECCV 2022) on iNatLoc500, as in
# the paper: CAM, HaS, SPG, ADL and CutMix (ImageNet-pretrained ResNet-50,
# wsolevaluation's recipe) trained at every level that has more than one
# class, each with the learning-rate sweep of sec. 5.1 (the run with the best
# val = train-fullsup MaxBoxAccV2 is reported on test); CAM-Agg of the
# species-level CAM at every coarser level; data efficiency of CAM (50, 100,
# 200 images per class, 5 random subsets) at four levels; Center, FSL-Seg and
# FSL-Det. 5 x 6 x 5 + 4 x 3 x 5 x 5 = 450 trainings: split them among the
# GPUs of a machine (one run each) with
#   python -m torch.distributed.run --nproc_per_node 8 \
#       tools/analysis_tools/granularity_study.py \
#       configs/granularity/granularity_inatloc500.py \
#       --work-dir work_dirs/granularity_inatloc500 --launcher pytorch
# and run the same command again to continue an interrupted study.
study = dict(
    name='granularity_inatloc500',
    dataset='iNatLoc500',
    levels=['species', 'genus', 'family', 'order', 'class', 'phylum'],
    lrs=[1e-1, 1e-2, 1e-3, 1e-4, 1e-5],
    seeds=[0],
    methods=dict(
        CAM='../cam/cam_r50_inatloc500.py',
        HaS='../has/has_r50_inatloc500.py',
        SPG='../spg/spg_r50_inatloc500.py',
        ADL='../adl/adl_r50_inatloc500.py',
        CutMix='../cutmix/cutmix_r50_inatloc500.py'),
    select='max_box_acc_v2',
    # Fig. 4: the paper names no levels; its text shows species, genus,
    # family and order.
    data_efficiency=dict(
        method='CAM',
        levels=['species', 'genus', 'family', 'order'],
        num_per_class=[50, 100, 200],
        seeds=[0, 1, 2, 3, 4]),
    cam_agg=dict(
        method='CAM', levels=['genus', 'family', 'order', 'class',
                              'phylum']),
    map_statistics=dict(method='CAM'),
    baselines={
        'Center': '../center/center_gaussian_inatloc500.py',
        'FSL-Seg': '../fsl/fsl_seg_r50_inatloc500.py',
        'FSL-Det': '../fsl/fsl_det_faster-rcnn_r50_fpn_inatloc500.py',
    },
    # Table 2 of the paper (MaxBoxAccV2 on iNatLoc500), shown beside ours.
    paper_table2=dict(
        CAM=60.2, HaS=60.0, SPG=60.7, ADL=58.9, CutMix=60.1, Center=42.8,
        **{'FSL-Seg': 78.6, 'FSL-Det': 83.6}))
