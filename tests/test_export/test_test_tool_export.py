"""tools/test.py --out --out-format coco / --out-maps on a real run."""
import importlib.util
import json
import os.path as osp
import sys

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from pycocotools.coco import COCO

from wsol_mm.datasets.synthetic import generate_synthetic_dataset

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _test_tool():
    sys.path.insert(0, osp.join(REPO_ROOT, 'tools'))
    spec = importlib.util.spec_from_file_location(
        'wsol_test_tool', osp.join(REPO_ROOT, 'tools', 'test.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _config(tmp_path, data_root):
    """The demo config, narrow, on tiny data, with the older protocol's
    resize + centre crop test pipeline (smaller)."""
    base = osp.join(REPO_ROOT, 'configs', 'cam', 'cam_r18_demo.py')
    path = tmp_path / 'cfg.py'
    path.write_text(f'''
_base_ = [{base!r}]
model = dict(backbone=dict(base_channels=8),
             head=dict(num_classes=3, in_channels=64),
             test_cfg=dict(topk=2))
test_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(80, 80)),
    dict(type='CenterCrop', size=64),
    dict(type='PackWSOLInputs'),
]
test_dataloader = dict(batch_size=3, num_workers=0, persistent_workers=False,
    dataset=dict(type='CUB', data_root={data_root!r}, split='test',
                 pipeline=test_pipeline, _delete_=True))
test_evaluator = dict(type='WSOLMetric', cam_curve_interval=0.05)
''')
    return str(path)


def test_coco_export_and_score_maps_of_a_test_run(tmp_path, monkeypatch):
    data_root = str(tmp_path / 'data')
    generate_synthetic_dataset(data_root, num_classes=3, train_per_class=1,
                               test_per_class=2, min_size=64, max_size=96,
                               seed=3)
    tool = _test_tool()
    out = str(tmp_path / 'preds.json')
    maps = str(tmp_path / 'scoremaps')
    monkeypatch.setattr(sys, 'argv', [
        'test.py', _config(tmp_path, data_root), '--work-dir',
        str(tmp_path / 'work'), '--out', out, '--out-format', 'coco',
        '--out-maps', maps])
    args = tool.parse_args()
    cfg = tool.merge_args(tool.load_config(args), args)
    types = [m['type'] for m in cfg.test_evaluator]
    assert types == ['WSOLMetric', 'DumpCOCODetections', 'DumpScoreMaps']
    wsol_out = str(tmp_path / 'preds_wsol.json')
    cfg.test_evaluator.append(dict(type='DumpWSOLPredictions',
                                   out_file=wsol_out))
    tool.run(cfg, 'test')

    coco = COCO(out)
    coco.loadRes(str(tmp_path / 'preds.results.json'))
    records = json.load(open(wsol_out))
    assert sorted(coco.getImgIds()) == sorted(r['sample_idx']
                                              for r in records)
    from wsol_mm.registry import DATASETS
    classes = DATASETS.build(cfg.test_dataloader.dataset).metainfo['classes']
    assert [c['name'] for c in coco.loadCats(coco.getCatIds())] == \
        list(classes) and len(classes) == 3
    for record in records:
        image = coco.loadImgs(record['sample_idx'])[0]
        # the original image, found from the data root
        img = cv2.imread(osp.join(data_root, image['file_name']))
        assert img is not None and (image['height'], image['width']) == \
            img.shape[:2] == tuple(record['ori_shape'])
        anns = coco.loadAnns(coco.getAnnIds(imgIds=image['id']))
        assert len(anns) == 2  # test_cfg.topk
        for ann, label, box in zip(anns, record['pred_labels'],
                                   record['pred_bboxes_original']):
            x0, y0, x1, y1 = box
            assert ann['bbox'] == pytest.approx([x0, y0, x1 - x0, y1 - y0])
            assert ann['category_id'] == label + 1
            assert 0 <= x0 <= x1 <= image['width']
        # the score map of every image, under its id, on the input grid
        scoremap = np.load(osp.join(maps, f"{record['img_id']}.npy"))
        assert scoremap.shape == (64, 64) and scoremap.dtype == np.float64
        assert 0 <= scoremap.min() and scoremap.max() <= 1


def test_out_format_needs_out(tmp_path, monkeypatch):
    tool = _test_tool()
    monkeypatch.setattr(sys, 'argv', ['test.py', 'cfg.py', '--out-format',
                                      'coco'])
    args = tool.parse_args()
    with pytest.raises(ValueError, match='--out-format needs --out'):
        tool.merge_args(Config(), args)
