"""TinyImageNet: a hand-written release read through its _base_ config, bad
inputs, and the synthetic writer."""
import filecmp
import os
import os.path as osp
import re

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from wsol_mm.datasets.synthetic import make_image, tight_box
from wsol_mm.datasets.synthetic_tiny_imagenet import \
    generate_synthetic_tiny_imagenet
from wsol_mm.datasets.tiny_imagenet import TinyImageNet
from wsol_mm.registry import DATASETS

from _layout import replace_line, write_lines

CONFIG = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'configs',
    '_base_', 'datasets', 'tiny_imagenet.py')

# wnids.txt order (the label order) is not the sorted order.
WNIDS = ['n01629819', 'n01443537', 'n01641577']
WORDS = {
    'n00001740': 'entity',
    'n01443537': 'goldfish, Carassius auratus',
    'n01629819': 'European fire salamander, Salamandra salamandra',
    'n01641577': 'bullfrog, Rana catesbeiana',
    'n09999999': 'not a class',
}
# wnid: [(file name, (width, height), inclusive x0 y0 x1 y1)]
TRAIN = {
    'n01629819': [('n01629819_0.JPEG', (64, 64), (0, 0, 63, 63)),
                  ('n01629819_1.JPEG', (64, 64), (5, 10, 20, 30))],
    'n01443537': [('n01443537_0.JPEG', (64, 64), (12, 3, 40, 50))],
    # Not 64x64: boxes are checked against the real size.
    'n01641577': [('n01641577_0.JPEG', (48, 40), (1, 2, 47, 39))],
}
# (file name, wnid, (width, height), inclusive box)
VAL = [
    ('val_0.JPEG', 'n01641577', (64, 64), (3, 4, 60, 61)),
    ('val_1.JPEG', 'n01629819', (64, 64), (0, 0, 0, 0)),
    ('val_2.JPEG', 'n01443537', (32, 32), (8, 4, 15, 31)),
]


def write_image(path, size, rng):
    os.makedirs(osp.dirname(path), exist_ok=True)
    width, height = size
    cv2.imwrite(path, rng.integers(0, 256, (height, width, 3),
                                   dtype=np.uint8))


def write_tiny_imagenet(root):
    """Write the release layout of WNIDS, WORDS, TRAIN and VAL."""
    root = str(root)
    rng = np.random.default_rng(0)
    write_lines(osp.join(root, 'wnids.txt'), WNIDS)
    write_lines(osp.join(root, 'words.txt'),
                [f'{wnid}\t{name}' for wnid, name in sorted(WORDS.items())])
    for wnid, rows in TRAIN.items():
        for name, size, _ in rows:
            write_image(osp.join(root, 'train', wnid, 'images', name), size,
                        rng)
        write_lines(
            osp.join(root, 'train', wnid, f'{wnid}_boxes.txt'),
            ['\t'.join([name, *map(str, box)]) for name, _, box in rows])
    for name, _, size, _ in VAL:
        write_image(osp.join(root, 'val', 'images', name), size, rng)
    write_lines(osp.join(root, 'val', 'val_annotations.txt'), [
        '\t'.join([name, wnid, *map(str, box)])
        for name, wnid, _, box in VAL
    ])
    return root


@pytest.fixture
def root(tmp_path):
    return write_tiny_imagenet(tmp_path / 'tiny-imagenet-200')


def build(root, loader='train_dataloader', **overrides):
    """The dataset of ``loader`` in the _base_ config, at ``root``."""
    cfg = Config.fromfile(CONFIG)
    dataset = cfg[loader].dataset
    dataset.data_root = root
    dataset.update(overrides)
    init_default_scope('wsol_mm')
    return DATASETS.build(dataset)


CLASSES = ('European fire salamander, Salamandra salamandra',
           'goldfish, Carassius auratus', 'bullfrog, Rana catesbeiana')


def test_config_splits():
    cfg = Config.fromfile(CONFIG)
    assert cfg.train_dataloader.dataset.type == 'TinyImageNet'
    assert cfg.train_dataloader.dataset.split == 'train'
    assert cfg.test_dataloader.dataset.split == 'val'
    for loader in ('train_dataloader', 'test_dataloader'):
        sizes = [t['size'] for t in cfg[loader].dataset.pipeline
                 if t['type'] == 'Resize']
        assert sizes == [(64, 64)]


def test_train_split_fields(root):
    dataset = build(root, pipeline=[])
    assert isinstance(dataset, TinyImageNet)
    assert dataset.metainfo['classes'] == CLASSES
    assert dataset.metainfo['wnids'] == tuple(WNIDS)
    # Items follow wnids.txt, then each boxes file; inclusive corners get +1.
    expected = [
        ('n01629819', 'n01629819_0', 0, [0, 0, 64, 64]),
        ('n01629819', 'n01629819_1', 0, [5, 10, 21, 31]),
        ('n01443537', 'n01443537_0', 1, [12, 3, 41, 51]),
        ('n01641577', 'n01641577_0', 2, [1, 2, 48, 40]),
    ]
    assert len(dataset) == len(expected)
    for idx, (wnid, img_id, label, box) in enumerate(expected):
        info = dataset.get_data_info(idx)
        assert info['img_path'] == osp.join(root, 'train', wnid, 'images',
                                            img_id + '.JPEG')
        assert info['img_id'] == img_id
        assert info['gt_label'] == label
        assert dataset.get_cat_ids(idx) == [label]
        assert info['gt_bboxes'].dtype == np.float64
        np.testing.assert_array_equal(info['gt_bboxes'], [box])


def test_val_split_fields(root):
    dataset = build(root, 'test_dataloader', pipeline=[])
    assert dataset.metainfo['classes'] == CLASSES
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    assert [i['img_id'] for i in infos] == ['val_0', 'val_1', 'val_2']
    assert [i['img_path'] for i in infos] == [
        osp.join(root, 'val', 'images', f'val_{k}.JPEG') for k in range(3)
    ]
    assert [i['gt_label'] for i in infos] == [2, 0, 1]
    np.testing.assert_array_equal(infos[0]['gt_bboxes'], [[3, 4, 61, 62]])
    # A one-pixel box.
    np.testing.assert_array_equal(infos[1]['gt_bboxes'], [[0, 0, 1, 1]])
    np.testing.assert_array_equal(infos[2]['gt_bboxes'], [[8, 4, 16, 32]])


def test_test_pipeline(root):
    packed = build(root, 'test_dataloader')[2]
    assert packed['inputs'].shape == (3, 64, 64)
    sample = packed['data_samples']
    assert sample.img_id == 'val_2'
    assert sample.gt_label.tolist() == [1]
    # val_2 is 32x32 with box [8, 4, 16, 32]: warped to 64x64, doubled.
    np.testing.assert_array_equal(sample.gt_bboxes.numpy(),
                                  [[16, 8, 32, 64]])


def test_bad_split(root):
    with pytest.raises(ValueError, match="split must be one of"):
        TinyImageNet(root, split='test')


SALAMANDER = 'train/n01629819/n01629819_boxes.txt'
FROG = 'train/n01641577/n01641577_boxes.txt'
VAL_FILE = 'val/val_annotations.txt'

# (split, file, line, replacement, message after ``<file>:<line>:``)
BAD_ANNOTATIONS = [
    pytest.param('train', SALAMANDER, 2, 'n01629819_1.JPEG\t5\t10\t20',
                 'expected 5 fields, got 4', id='train_column_count'),
    pytest.param('val', VAL_FILE, 1, 'val_0.JPEG\tn01641577\t3\t4\t60',
                 'expected 6 fields, got 5', id='val_column_count'),
    pytest.param('val', VAL_FILE, 2, 'val_1.JPEG\tn09999999\t0\t0\t0\t0',
                 "unknown class 'n09999999'", id='unknown_class'),
    # x1 = 64 is the 65th column of a 64-wide image.
    pytest.param('train', SALAMANDER, 1, 'n01629819_0.JPEG\t0\t0\t64\t63',
                 'box .* is outside its image of width 64',
                 id='box_outside_image'),
    pytest.param('train', FROG, 1, 'n01641577_0.JPEG\t1\t2\t47\t40',
                 'box .* is outside its image of width 48 and height 40',
                 id='box_outside_smaller_image'),
    pytest.param('val', VAL_FILE, 1, 'val_0.JPEG\tn01641577\t-1\t4\t60\t61',
                 'box .* is outside', id='negative_corner'),
    pytest.param('val', VAL_FILE, 3, 'val_2.JPEG\tn01443537\t15\t4\t8\t31',
                 re.escape('box [15, 4, 8, 31] has x1 < x0'),
                 id='reversed_box'),
    pytest.param('train', SALAMANDER, 2, 'n01629819_1.JPEG\t5.5\t10\t20\t30',
                 "box coordinate must be an integer, got '5.5'",
                 id='non_integer_corner'),
    pytest.param('train', SALAMANDER, 2, 'n01629819_0.JPEG\t5\t10\t20\t30',
                 "image 'n01629819_0.JPEG' appears twice \\(first at line 1",
                 id='duplicate_image'),
    pytest.param('train', 'wnids.txt', 3, 'n01629819',
                 "wnid 'n01629819' appears twice", id='duplicate_wnid'),
]


@pytest.mark.parametrize('split,name,line,text,fragment', BAD_ANNOTATIONS)
def test_bad_annotation(root, split, name, line, text, fragment):
    path = osp.join(root, name)
    replace_line(path, line, text)
    with pytest.raises(ValueError,
                       match=re.escape(f'{path}:{line}: ') + fragment):
        TinyImageNet(root, split=split)


def test_missing_image(root):
    img_path = osp.join(root, 'val', 'images', 'val_1.JPEG')
    os.remove(img_path)
    ann = osp.join(root, VAL_FILE)
    with pytest.raises(FileNotFoundError, match=re.escape(
            f'{ann}:2: image file not found: {img_path}')):
        build(root, 'test_dataloader')


@pytest.mark.parametrize('split,image,ann', [
    ('train', 'train/n01443537/images/n01443537_7.JPEG',
     'train/n01443537/n01443537_boxes.txt'),
    ('val', 'val/images/val_9.JPEG', VAL_FILE),
])
def test_image_without_a_line(root, split, image, ann):
    extra = osp.join(root, image)
    write_image(extra, (64, 64), np.random.default_rng(1))
    with pytest.raises(ValueError, match=re.escape(
            f'{extra}: the image has no line in {osp.join(root, ann)}')):
        TinyImageNet(root, split=split)


def test_missing_boxes_file(root):
    path = osp.join(root, FROG)
    os.remove(path)
    with pytest.raises(FileNotFoundError, match=re.escape(path)):
        TinyImageNet(root, split='train')


def test_class_missing_from_words(root):
    words = osp.join(root, 'words.txt')
    write_lines(words, ['n01443537\tgoldfish', 'n01641577\tbullfrog'])
    with pytest.raises(ValueError, match=re.escape(
            f"{words}: no line for the wnids ['n01629819']")):
        TinyImageNet(root, split='val')


def test_class_without_name(root):
    words = osp.join(root, 'words.txt')
    replace_line(words, 2, 'n01443537')
    with pytest.raises(ValueError, match=re.escape(f'{words}:2: ') +
                       "wnid 'n01443537' has no name"):
        TinyImageNet(root, split='val')


SYNTHETIC = dict(num_classes=3, train_per_class=3, val_per_class=2, seed=5)


@pytest.fixture(scope='module')
def synthetic(tmp_path_factory):
    out = tmp_path_factory.mktemp('synthetic_tiny') / 'tiny-imagenet-200'
    return generate_synthetic_tiny_imagenet(str(out), **SYNTHETIC)


def expected_box(label, index):
    """The continuous tight box of the documented image ``index``."""
    rng = np.random.default_rng([SYNTHETIC['seed'], label, index])
    _, mask = make_image(rng, label, SYNTHETIC['num_classes'], 64, 64)
    return tight_box(mask)


def test_synthetic_reads_back(synthetic):
    assert synthetic['counts'] == dict(train=9, val=6)
    train = build(synthetic['out_dir'], pipeline=[])
    val = build(synthetic['out_dir'], 'test_dataloader', pipeline=[])
    assert train.metainfo['classes'] == synthetic['classes']
    assert train.metainfo['wnids'] == synthetic['wnids']
    assert len(train) == 9 and len(val) == 6
    for idx in range(len(train)):
        info = train.get_data_info(idx)
        label, index = divmod(idx, 3)
        assert info['gt_label'] == label
        assert info['img_id'] == f'{synthetic["wnids"][label]}_{index}'
        assert cv2.imread(info['img_path']).shape == (64, 64, 3)
        np.testing.assert_array_equal(info['gt_bboxes'],
                                      [expected_box(label, index)])
    # The val images are those after the train ones, in a shuffled order.
    found = sorted((val.get_data_info(i)['gt_label'],
                    val.get_data_info(i)['gt_bboxes'][0].tolist())
                   for i in range(len(val)))
    drawn = sorted((label, [float(v) for v in expected_box(label, 3 + k)])
                   for label in range(3) for k in range(2))
    assert found == drawn


def test_synthetic_is_deterministic(synthetic, tmp_path):
    again = generate_synthetic_tiny_imagenet(str(tmp_path / 'again'),
                                             **SYNTHETIC)
    files = sorted(
        osp.relpath(osp.join(d, f), synthetic['out_dir'])
        for d, _, names in os.walk(synthetic['out_dir']) for f in names)
    assert len(files) == 2 + 3 + 9 + 1 + 6
    _, mismatch, errors = filecmp.cmpfiles(
        synthetic['out_dir'], again['out_dir'], files, shallow=False)
    assert mismatch == [] and errors == []
    other = generate_synthetic_tiny_imagenet(
        str(tmp_path / 'other'), **dict(SYNTHETIC, seed=6))
    assert not filecmp.cmp(synthetic['files'][-1], other['files'][-1],
                           shallow=False)
