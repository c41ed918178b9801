# Table 2: gr_preact-r34_tinyimagenet.py with batch 128; lr 0.1 and the
# schedule unchanged (tuned for batch 256, fixed by the paper).
_base_ = './gr_preact-r34_tinyimagenet.py'

train_dataloader = dict(batch_size=128)
