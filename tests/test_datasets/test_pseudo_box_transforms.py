"""Pseudo boxes: LoadPseudoBox and every geometric transform moving them
exactly as the ground-truth boxes."""
import json
from unittest import mock

import numpy as np
import pytest
from mmcv.transforms import Compose
from mmengine.registry import init_default_scope

from wsol_mm.datasets.transforms import LoadPseudoBox
from wsol_mm.datasets.transforms import load_pseudo_box
from wsol_mm.datasets.transforms.processing import BOX_KEYS

BOXES = np.array([[10.5, 20.0, 90.25, 70.0], [0.0, 0.0, 120.0, 80.0],
                  [100.0, 5.0, 119.0, 60.0]])


def _results():
    rng = np.random.default_rng(0)
    return dict(img=rng.integers(0, 255, (80, 120, 3), dtype=np.uint8),
                img_shape=(80, 120), ori_shape=(80, 120), img_id='a.jpg',
                gt_bboxes=BOXES.copy(), pseudo_bboxes=BOXES[::-1].copy())


@pytest.mark.parametrize('transform', [
    dict(type='Resize', size=(64, 50)),
    dict(type='Resize', shorter_side=57),
    dict(type='CenterCrop', size=(70, 33)),
    dict(type='RandomCrop', size=(101, 61)),
    dict(type='RandomFlip', prob=1.0),
    dict(type='RandomResizedCrop', size=48, crop_ratio_range=(0.2, 0.5)),
    dict(type='CropBottomBanner'),
])
def test_a_pseudo_box_moves_exactly_like_a_gt_box(transform):
    init_default_scope('wsol_mm')
    np.random.seed(1)
    moved = Compose([transform])(dict(_results(), banner_height=20))
    assert BOX_KEYS == ('gt_bboxes', 'pseudo_bboxes')
    assert moved['pseudo_bboxes'].dtype == np.float64
    np.testing.assert_array_equal(moved['pseudo_bboxes'],
                                  moved['gt_bboxes'][::-1])
    # and the boxes did move (the transform is not a no-op on them)
    assert not np.array_equal(moved['gt_bboxes'], BOXES)


def test_pseudo_boxes_move_alone_and_are_packed():
    init_default_scope('wsol_mm')
    results = _results()
    del results['gt_bboxes']
    packed = Compose([dict(type='Resize', size=(60, 40)),
                      dict(type='RandomFlip', prob=1.0),
                      dict(type='PackWSOLInputs')])(results)
    # x -> 60 - x / 2 (corners swapped), y -> y / 2
    expected = np.array([[0.5, 2.5, 10.0, 30.0], [0.0, 0.0, 60.0, 40.0],
                         [14.875, 10.0, 54.75, 35.0]])
    np.testing.assert_array_equal(
        packed['data_samples'].pseudo_bboxes.numpy(), expected)
    assert 'gt_bboxes' not in packed['data_samples']


def _box_file(tmp_path, boxes):
    path = tmp_path / 'pseudo_boxes.json'
    path.write_text(json.dumps(boxes))
    return str(path)


def test_load_pseudo_box_reads_the_file_once(tmp_path):
    box_file = _box_file(tmp_path, {'a.jpg': [1, 2.5, 30, 40],
                                    'b/c.jpg': [0, 0, 0, 0]})
    load = LoadPseudoBox(box_file)
    with mock.patch.object(load_pseudo_box, 'read_box_file',
                           wraps=load_pseudo_box.read_box_file) as read:
        first = load(_results())
        second = load(dict(_results(), img_id='b/c.jpg'))
    assert read.call_count == 1
    assert first['pseudo_bboxes'].dtype == np.float64
    np.testing.assert_array_equal(first['pseudo_bboxes'], [[1, 2.5, 30, 40]])
    np.testing.assert_array_equal(second['pseudo_bboxes'], [[0, 0, 0, 0]])
    assert repr(load) == f"LoadPseudoBox(box_file='{box_file}')"


def test_load_pseudo_box_then_the_pipeline_moves_it(tmp_path):
    init_default_scope('wsol_mm')
    box_file = _box_file(tmp_path, {'a.jpg': [20, 10, 100, 50]})
    results = _results()
    del results['pseudo_bboxes']
    out = Compose([dict(type='LoadPseudoBox', box_file=box_file),
                   dict(type='Resize', size=(60, 40)),
                   dict(type='CenterCrop', size=(40, 30))])(results)
    # halved, then shifted by (-10, -5) and clipped to 40 x 30
    np.testing.assert_array_equal(out['pseudo_bboxes'], [[0, 0, 40, 20]])


def test_missing_image_names_both(tmp_path):
    box_file = _box_file(tmp_path, {'b.jpg': [1, 2, 3, 4]})
    with pytest.raises(KeyError, match=r"pseudo_boxes\.json has no box for "
                       r"the image 'a\.jpg'"):
        LoadPseudoBox(box_file)(_results())


def test_boxes_outside_the_image_are_clipped_and_counted(tmp_path,
                                                          warnings_of):
    warnings = warnings_of(load_pseudo_box)
    box_file = _box_file(tmp_path, {'a.jpg': [-5, 10, 130, 90]})
    load = LoadPseudoBox(box_file)
    for _ in range(3):
        out = load(_results())
    np.testing.assert_array_equal(out['pseudo_bboxes'], [[0, 10, 120, 80]])
    assert load.num_clipped == 3
    assert len(warnings) == 1 and '1 pseudo boxes' in warnings[0]
    assert "'a.jpg' [-5.0, 10.0, 130.0, 90.0] in a 120x80" in warnings[0]


@pytest.mark.parametrize('content, message', [
    ('[1, 2]', 'must hold a JSON object'),
    ('{"a.jpg": [1, 2, 3]}', "entry 'a.jpg'"),
    ('{"a.jpg": [5, 2, 3, 4]}', 'x0 <= x1'),
    ('{"a.jpg": [1, 2, 3, "4"]}', "entry 'a.jpg'"),
    ('{"a.jpg": ', 'is not JSON'),
])
def test_bad_box_files(tmp_path, content, message):
    path = tmp_path / 'boxes.json'
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        LoadPseudoBox(str(path))(_results())
