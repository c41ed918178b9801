# The label-granularity study of Cole et al. (ECCV 2022) on the synthetic
# iNatLoc500 data (configs/_base_/datasets/synthetic_inatloc500.py), reduced
# to run on a 2-core CPU in well under 30 minutes: CAM and HaS at 3 levels
# with 2 learning rates each, data efficiency of CAM with 20 images per class
# and 2 subsets, CAM-Agg, Center, FSL-Seg and FSL-Det.
#
#   python tools/analysis_tools/granularity_study.py \
#       configs/granularity/granularity_demo.py --work-dir work_dirs/gd
#
# writes work_dirs/gd/report.md (table 2, figures 3-5) and results.json; the
# same command continues an interrupted study.
study = dict(
    name='granularity_demo',
    dataset='synthetic iNatLoc500 (6 species, 3 genera, 2 families)',
    levels=['species', 'genus', 'family'],
    lrs=[0.05, 0.01],
    seeds=[0],
    methods=dict(
        CAM='demo/cam_r18_synthetic_inatloc.py',
        HaS='demo/has_r18_synthetic_inatloc.py'),
    select='max_box_acc_v2',
    data_efficiency=dict(
        method='CAM',
        levels=['species', 'genus', 'family'],
        num_per_class=[20],
        seeds=[0, 1]),
    cam_agg=dict(method='CAM', levels=['genus', 'family']),
    map_statistics=dict(method='CAM'),
    baselines={
        'Center': 'demo/center_gaussian_synthetic_inatloc.py',
        'FSL-Seg': '../fsl/fsl_seg_r18_demo.py',
        'FSL-Det': '../fsl/fsl_det_faster-rcnn_r18_fpn_demo.py',
    })
