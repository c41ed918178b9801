# The Center baseline of the demo study: a centred Gaussian for every image
# of the synthetic iNatLoc500 test split. Nothing to train.
_base_ = [
    '../../_base_/models/center_gaussian.py',
    '../../_base_/datasets/synthetic_inatloc500.py',
    '../../_base_/default_runtime.py',
]

train_dataloader = None
val_dataloader = None
val_evaluator = None
test_cfg = dict()
