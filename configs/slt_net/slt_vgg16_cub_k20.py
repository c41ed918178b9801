# Fig. 4(a): K = 20 (SMT's top-K and the top-K ACAM) at alpha 0.4; the
# paper's K = 30 is slt_vgg16_cub_localizer.py.
_base_ = './slt_vgg16_cub_localizer.py'

model = dict(localizer=dict(
    head=dict(loss=dict(topk=20)), test_cfg=dict(score_map_topk=20)))
