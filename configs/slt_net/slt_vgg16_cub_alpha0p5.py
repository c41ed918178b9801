# Fig. 4(b): alpha = 0.5 at K = 30; the paper's alpha = 0.4 is
# slt_vgg16_cub_localizer.py.
_base_ = './slt_vgg16_cub_localizer.py'

model = dict(localizer=dict(head=dict(loss=dict(alpha=0.5))))
