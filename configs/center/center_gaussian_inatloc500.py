# Nothing to train:
#   python tools/test.py configs/center/center_gaussian_inatloc500.py
# The Center baseline of paper 000 on iNatLoc500 (table 2: MaxBoxAccV2 42.8),
# at the protocol's CAM thresholds (every 0.001, set by the dataset config).
_base_ = [
    '../_base_/models/center_gaussian.py',
    '../_base_/datasets/inatloc500.py',
    '../_base_/default_runtime.py',
]

# Test only: nothing to train or validate.
train_dataloader = None
val_dataloader = None
val_evaluator = None
test_cfg = dict()
