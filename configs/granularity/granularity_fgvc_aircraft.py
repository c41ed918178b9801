# The label-granularity grid on FGVC-Aircraft's three levels (variant 100,
# family 70, manufacturer 30 classes; paper 000's supplement), trained on
# `train`, selected on `val`, tested on `test`:
#   python tools/analysis_tools/granularity_study.py \
#       configs/granularity/granularity_fgvc_aircraft.py \
#       --work-dir work_dirs/granularity_fgvc_aircraft
# Few-shot baselines need a train-fullsup split: none here.
study = dict(
    name='granularity_fgvc_aircraft',
    dataset='FGVC-Aircraft 2013b',
    levels=['variant', 'family', 'manufacturer'],
    lrs=[1e-1, 1e-2, 1e-3, 1e-4, 1e-5],
    seeds=[0],
    methods=dict(
        CAM='fgvc_aircraft/cam_r50_fgvc_aircraft.py',
        HaS='fgvc_aircraft/has_r50_fgvc_aircraft.py',
        SPG='fgvc_aircraft/spg_r50_fgvc_aircraft.py',
        ADL='fgvc_aircraft/adl_r50_fgvc_aircraft.py',
        CutMix='fgvc_aircraft/cutmix_r50_fgvc_aircraft.py'),
    select='max_box_acc_v2',
    data_efficiency=dict(
        method='CAM', levels=['variant', 'family', 'manufacturer'],
        num_per_class=[10, 20, 30], seeds=[0, 1, 2, 3, 4]),
    cam_agg=dict(method='CAM', levels=['family', 'manufacturer']),
    map_statistics=dict(method='CAM'))
