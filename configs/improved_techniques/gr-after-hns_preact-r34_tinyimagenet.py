# gr-after-hns_preact-r18_tinyimagenet.py with the 34-layer network
# ([3, 4, 6, 3] blocks).
_base_ = './gr-after-hns_preact-r18_tinyimagenet.py'

model = dict(backbone=dict(depth=34))
