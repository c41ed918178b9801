# hns-after-gr_preact-r18_tinyimagenet.py with the 34-layer network
# ([3, 4, 6, 3] blocks).
_base_ = './hns-after-gr_preact-r18_tinyimagenet.py'

model = dict(backbone=dict(depth=34))
