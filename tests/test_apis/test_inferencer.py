"""WSOLInferencer on a single-stage CAM: the boxes of tools/test.py --out
mapped to the original image, arrays = paths, folders, a hand-checked
geometry case, config names."""
import json
import os.path as osp
import runpy
import shutil
import sys

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from wsol_mm.apis import WSOLInferencer, WSOLResult
from wsol_mm.models.wsol.base_localizer import BaseLocalizer
from wsol_mm.registry import MODELS
from .conftest import NUM_CLASSES, REPO_ROOT, crop_to_original


@pytest.fixture(scope='module')
def inferencer(cam_model):
    config, checkpoint = cam_model
    return WSOLInferencer(config, checkpoint, device='cpu')


def _test_images(data_root):
    with open(osp.join(data_root, 'train_test_split.txt')) as f:
        test_ids = {line.split()[0] for line in f if line.split()[1] == '0'}
    with open(osp.join(data_root, 'images.txt')) as f:
        return sorted(
            osp.join(data_root, 'images', line.split()[1]) for line in f
            if line.split()[0] in test_ids)


def test_boxes_equal_tools_test_out_in_original_pixels(
        cam_model, tiny_data, inferencer, tmp_path, monkeypatch):
    config, checkpoint = cam_model
    out = str(tmp_path / 'preds.json')
    monkeypatch.syspath_prepend(osp.join(REPO_ROOT, 'tools'))
    monkeypatch.setattr(sys, 'argv', [
        'tools/test.py', config, checkpoint, '--work-dir',
        str(tmp_path / 'work'), '--out', out])
    runpy.run_path(osp.join(REPO_ROOT, 'tools', 'test.py'),
                   run_name='__main__')
    with open(out) as f:
        records = {osp.normpath(r['img_path']): r for r in json.load(f)}
    paths = _test_images(tiny_data)
    assert sorted(records) == [osp.normpath(p) for p in paths]

    results = inferencer(paths, batch_size=4)
    assert len(results) == len(paths)
    not_whole = non_square = 0
    for path, result in zip(paths, results):
        record = records[osp.normpath(path)]
        height, width = cv2.imread(path).shape[:2]
        non_square += width != height
        assert result['ori_shape'] == (height, width)
        assert result['img_shape'] == (64, 64)
        expected = crop_to_original(record['pred_bboxes'], width, height)
        np.testing.assert_allclose(result['pred_bboxes'], expected,
                                   atol=1e-4)
        assert result['pred_labels'].tolist() == record['pred_labels']
        np.testing.assert_allclose(
            result['pred_scores'][result['pred_labels']],
            record['pred_label_scores'], rtol=1e-5, atol=1e-6)
        assert result['score_maps'].shape == (1, height, width)
        assert result['pred_scores'].shape == (NUM_CLASSES, )
        not_whole += not np.allclose(expected, [[0, 0, width, height]])
    # the comparison is not vacuous: some boxes are not the whole image
    assert not_whole >= 2 and non_square >= 2


def test_arrays_give_the_results_of_paths_and_folders_of_lists(
        tiny_data, inferencer, tmp_path):
    paths = _test_images(tiny_data)[:3]
    folder = tmp_path / 'folder'
    folder.mkdir()
    for i, path in enumerate(paths):
        shutil.copy(path, folder / f'{i}.jpg')
    (folder / 'notes.txt').write_text('not an image')
    by_path = inferencer(paths, batch_size=2)
    by_array = inferencer([cv2.imread(p) for p in paths], batch_size=3)
    by_folder = inferencer(str(folder))
    assert [r['img_path'] for r in by_folder] == [
        str(folder / f'{i}.jpg') for i in range(3)]
    assert by_array[0]['img_path'] is None
    for results in (by_array, by_folder):
        for got, expected in zip(results, by_path):
            for key in ('pred_scores', 'pred_bboxes', 'score_maps'):
                np.testing.assert_allclose(got[key], expected[key],
                                           atol=1e-5, err_msg=key)
            assert got['pred_labels'].tolist() == \
                expected['pred_labels'].tolist()
    # one image alone, top-2
    single = inferencer(paths[0], topk=2)
    assert len(single) == 1 and len(single[0]['pred_labels']) == 2
    assert single[0]['score_maps'].shape[0] == 2
    assert single[0]['pred_bboxes'].shape == (2, 4)
    order = np.argsort(-single[0]['pred_scores'])[:2]
    assert single[0]['pred_labels'].tolist() == order.tolist()
    assert single[0]['pred_score'] == pytest.approx(
        single[0]['pred_scores'].max())


def test_result_prints_classes_box_and_map_shape(inferencer, tiny_data):
    result = inferencer(_test_images(tiny_data)[0])[0]
    assert isinstance(result, WSOLResult)
    text = repr([result])
    name = result['pred_classes'][0]
    assert name in text and 'score_maps shape=(1, ' in text
    box = np.round(result['pred_bboxes'], 1).tolist()[0]
    assert str(box) in text
    assert len(text) < 400


@MODELS.register_module(force=True)
class FixedBoxLocalizer(BaseLocalizer):
    """Predicts class 1, the box x 16-208, y 32-160 on the 224 x 224 input
    and a map that is 1 in the box and 0.5 elsewhere."""

    BOX = (16.0, 32.0, 208.0, 160.0)

    def _forward(self, inputs):
        return inputs

    def loss(self, inputs, data_samples):
        return {}

    def predict(self, inputs, data_samples=None):
        samples = self._samples_for(inputs, data_samples)
        for sample in samples:
            score_map = torch.full((1, 224, 224), 0.5)
            score_map[:, 32:160, 16:208] = 1.0
            sample.pred_score = torch.tensor([0.1, 0.7, 0.2])
            sample.pred_labels = torch.tensor([1])
            sample.pred_score_maps = score_map
            sample.pred_bboxes = torch.tensor([self.BOX])
        return samples


def test_geometry_of_resize_and_centre_crop_by_hand():
    """A 200 x 100 image, resized to 256 x 256 (x 1.28 across, x 2.56
    down), centre crop 224 (offset 16): an input point (u, v) is the
    original point ((u + 16) / 1.28, (v + 16) / 2.56)."""
    cfg = Config(dict(
        model=dict(type='FixedBoxLocalizer'),
        test_dataloader=dict(dataset=dict(pipeline=[
            dict(type='LoadWSOLImageFromFile'),
            dict(type='Resize', size=(256, 256)),
            dict(type='CenterCrop', size=224),
            dict(type='PackWSOLInputs'),
        ]))))
    inferencer = WSOLInferencer(cfg, device='cpu')
    result = inferencer(np.zeros((100, 200, 3), np.uint8))[0]
    np.testing.assert_allclose(result['pred_bboxes'],
                               [[32 / 1.28, 48 / 2.56, 224 / 1.28,
                                 176 / 2.56]])  # 25, 18.75, 175, 68.75
    score_map = result['score_maps'][0]
    assert score_map.shape == (100, 200)
    # column 5: centre 5.5 -> u = -8.96, outside the crop: not seen
    assert (score_map[:, 5] == 0).all()
    # rows 0-5: v = 2.56 * (y + 0.5) - 16 < 0: not seen
    assert (score_map[:6] == 0).all()
    # inside the box, away from its edges: 1; seen but outside: 0.5
    assert score_map[40, 100] == pytest.approx(1.0)
    assert score_map[30, 60] == pytest.approx(1.0)
    assert score_map[15, 100] == pytest.approx(0.5)  # v = 23.7 < 32
    assert score_map[50, 20] == pytest.approx(0.5)   # u = 10.2 < 16
    assert result['pred_labels'].tolist() == [1]


def test_config_names_and_errors(cam_model):
    from wsol_mm.apis.inferencer import find_config
    assert find_config('cam_r18_demo') == osp.join(
        REPO_ROOT, 'configs', 'cam', 'cam_r18_demo.py')
    with pytest.raises(FileNotFoundError, match='close matches: cam_r18_demo'):
        WSOLInferencer('cam_r18_dmeo', device='cpu')
    config, checkpoint = cam_model
    inferencer = WSOLInferencer(config, checkpoint, device='cpu')
    with pytest.raises(TypeError, match='input 1: expected an image path'):
        inferencer([np.zeros((8, 8, 3), np.uint8), np.zeros((8, 8))])
    with pytest.raises(FileNotFoundError, match='no such image file'):
        inferencer('missing.jpg')
