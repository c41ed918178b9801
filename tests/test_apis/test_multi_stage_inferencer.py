"""WSOLInferencer on a finished multi-stage work dir (SPOL's layout: a
class-agnostic segmentor, a separate classifier tested on ten crops, an
EvaluateStage): the class comes from the classifier, the box and map from
the segmentor, as EvaluateStage combines them."""
import os.path as osp

import cv2
import mmengine
import numpy as np
import pytest
from mmengine.config import Config

from wsol_mm.apis import WSOLInferencer
from wsol_mm.pipelines import MultiStagePipeline, StageManifest
from .conftest import NUM_CLASSES, REPO_ROOT, crop_to_original

SEGMENTOR = dict(
    type='ClassAgnosticSegmentor',
    backbone=dict(type='mmpretrain.ResNet', depth=18, base_channels=8,
                  out_indices=(3, )),
    head=dict(type='ClassAgnosticSegHead', in_channels=64),
    # random, non-trivial masks without training
    init_cfg=dict(type='Normal', layer='Conv2d', std=0.3))
CLASSIFIER = dict(
    type='mmpretrain.ImageClassifier',
    data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor',
                           mean=[120.0] * 3, std=[60.0] * 3),
    backbone=dict(type='mmpretrain.ResNet', depth=18, base_channels=8),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='mmpretrain.LinearClsHead', num_classes=NUM_CLASSES,
              in_channels=64, loss=dict(type='mmpretrain.CrossEntropyLoss')))
LOAD = dict(type='LoadWSOLImageFromFile')
SEG_PIPELINE = [LOAD, dict(type='Resize', size=(80, 80)),
                dict(type='CenterCrop', size=64), dict(type='PackWSOLInputs')]
CLS_PIPELINE = [LOAD, dict(type='Resize', size=(40, 40)),
                dict(type='mmpretrain.PackInputs')]
# The classifier is tested on ten crops (SLT-Net's classifier stage).
TTA_PIPELINE = [LOAD, dict(type='Resize', size=(40, 40)),
                dict(type='TenCrop', size=32,
                     pack=[dict(type='mmpretrain.PackInputs')])]


def _cfg(work_dir, data_root, out_file):
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', '_base_', 'default_runtime.py'))
    loader = dict(batch_size=2, num_workers=0, persistent_workers=False,
                  sampler=dict(type='DefaultSampler', shuffle=False))
    dataset = dict(type='CUB', data_root=data_root)
    cfg.merge_from_dict(dict(
        work_dir=work_dir,
        launcher='none',
        model=SEGMENTOR,
        train_dataloader=dict(loader, dataset=dict(
            dataset, split='train', pipeline=SEG_PIPELINE)),
        train_cfg=dict(by_epoch=True, max_epochs=1),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        test_dataloader=dict(loader, dataset=dict(
            dataset, split='test', pipeline=SEG_PIPELINE)),
        test_cfg=dict(),
        tta_model=dict(type='AverageClassScoreTTA'),
        tta_pipeline=TTA_PIPELINE,
        test_evaluator=dict(type='WSOLMetric', cam_curve_interval=0.1,
                            method='opencv', topk=(1, ),
                            loc_boxes='predicted'),
        stages=dict(
            seg=dict(type='TrainStage', train=False),
            classifier=dict(type='TrainStage', train=False, tta=True, cfg=dict(
                model=CLASSIFIER,
                test_dataloader=dict(dataset=dict(pipeline=CLS_PIPELINE)),
                test_evaluator=dict(_delete_=True, type='mmpretrain.Accuracy',
                                    topk=(1, )))),
            evaluate=dict(
                type='EvaluateStage', localizer='seg',
                classifier='classifier',
                evaluator=[
                    dict(type='WSOLMetric', cam_curve_interval=0.1,
                         method='opencv', topk=(1, ), loc_boxes='predicted'),
                    dict(type='DumpWSOLPredictions', out_file=out_file)
                ]))))
    return cfg


def test_multi_stage_work_dir(tiny_data, tmp_path):
    work_dir = str(tmp_path / 'work')
    out_file = str(tmp_path / 'seg_preds.json')
    cfg = _cfg(work_dir, tiny_data, out_file)
    MultiStagePipeline(cfg).run()
    scores = mmengine.load(StageManifest.read(
        osp.join(work_dir, 'classifier')).extra['class_scores'])
    scores = dict(zip((osp.normpath(p) for p in scores['img_paths']),
                      scores['scores']))
    records = {osp.normpath(r['img_path']): r
               for r in mmengine.load(out_file)}
    paths = sorted(records)

    inferencer = WSOLInferencer(cfg, work_dir, device='cpu')
    results = inferencer(paths, batch_size=3, topk=2)
    not_whole = 0
    for path, result in zip(paths, results):
        height, width = cv2.imread(path).shape[:2]
        # the classifier's scores (its own ten 32 x 32 crops) ...
        np.testing.assert_allclose(result['pred_scores'], scores[path],
                                   rtol=1e-5, atol=1e-6)
        assert result['pred_labels'].tolist() == \
            np.argsort(-scores[path])[:2].tolist()
        # ... and the segmentor's box, in original pixels
        expected = crop_to_original(records[path]['pred_bboxes'], width,
                                    height)
        np.testing.assert_allclose(result['pred_bboxes'], expected,
                                   atol=1e-4)
        assert result['score_maps'].shape == (1, height, width)
        not_whole += not np.allclose(expected, [[0, 0, width, height]])
    assert not_whole >= 2

    with pytest.raises(ValueError, match='weights=<its work dir>'):
        WSOLInferencer(cfg, osp.join(work_dir, 'seg', 'initial_weights.pth'),
                       device='cpu')
