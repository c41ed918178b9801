# Dataloader and evaluator defaults shared by the dataset configs: batches of
# 32, 4 persistent workers, a shuffled train loader and ordered val/test ones,
# WSOLMetric at the protocol's CAM threshold step. A dataset config
# inheriting this file (directly or through wsoleval_pipelines.py) fills in
# each loader's dataset; one that tests on its val split says
# `test_dataloader = val_dataloader` again: the line below took this file's
# val_dataloader when it was read, not the child's (the same holds for
# test_evaluator).
train_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True))
val_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False))
test_dataloader = val_dataloader

# The protocol's CAM threshold step (wsolevaluation's --cam_curve_interval
# 0.001), with which the published MaxBoxAcc, MaxBoxAccV2 and PxAP are
# computed; WSOLMetric's own default is the same 0.001, written out here.
val_evaluator = dict(type='WSOLMetric', cam_curve_interval=0.001)
test_evaluator = val_evaluator
