"""INatLoc500: a hand-written release layout (spaces in paths, sizes in
height,width order) read through configs/_base_/datasets/inatloc500.py, and
bad inputs."""
import logging
import os
import os.path as osp
import re

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from PIL import Image

from wsol_mm.datasets.inatloc500 import (LEVELS, INatLoc500,
                                         image_size_as_loaded,
                                         read_class_names)
from wsol_mm.registry import DATASETS

from _layout import replace_line, write_lines

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets', 'inatloc500.py')

# Four species, two genera of Corvidae and one of Paridae.
NAMES = dict(
    species=['Corvus corax', 'Corvus corone', 'Pica pica', 'Parus major'],
    genus=['Corvus', 'Pica', 'Parus'],
    family=['Corvidae', 'Paridae'],
    order=['Passeriformes'],
    **{'class': ['Aves']},
    phylum=['Chordata'],
    kingdom=['Animalia'])
# species label -> labels at LEVELS
TAXA = {0: (0, 0, 0, 0, 0, 0, 0), 1: (1, 0, 0, 0, 0, 0, 0),
        2: (2, 1, 0, 0, 0, 0, 0), 3: (3, 2, 1, 0, 0, 0, 0)}
# split -> [(path, species, (width, height), boxes x0,y0,x1,y1)]
SPLITS = {
    'train': [
        ('train/Aves Corvus corax/img 0001.jpg', 0, (40, 30), []),
        ('train/Aves Parus major/img 0001.jpg', 3, (20, 35), []),
        ('train/Aves Pica pica/img 0007.jpg', 2, (33, 21), []),
    ],
    'val': [('val/Aves/Corvus corone/img 0001.jpg', 1, (36, 24),
             [(1, 2, 35, 23)])],
    'test': [
        # Wide images: x1 = 45 fits the width 50 only (not the height 20).
        ('test/Aves/Pica pica/img 0002.jpg', 2, (50, 20),
         [(0, 0, 45, 20), (5.5, 6, 7.25, 8)]),
        ('test/Aves/Parus major/img 0003.jpg', 3, (30, 60),
         [(3, 4, 10, 58)]),
    ],
}


def write_release(root):
    """The release layout of SPLITS under ``root``: images in
    ``root/<split>/...``, metadata in ``root/metadata``."""
    rng = np.random.default_rng(0)
    meta = osp.join(root, 'metadata')
    for level in LEVELS:
        suffix = '' if level == 'species' else f'_{level}'
        write_lines(osp.join(meta, f'class_names{suffix}.txt'),
                    [f'{n},{i}' for i, n in enumerate(NAMES[level])])
    for split, items in SPLITS.items():
        for path, _, (w, h), _ in items:
            os.makedirs(osp.dirname(osp.join(root, path)), exist_ok=True)
            cv2.imwrite(osp.join(root, path),
                        rng.integers(0, 256, (h, w, 3), dtype=np.uint8))
        folder = osp.join(meta, split)
        write_lines(osp.join(folder, 'image_ids.txt'),
                    [p for p, *_ in items])
        for col, level in enumerate(LEVELS):
            suffix = '' if level == 'species' else f'_{level}'
            write_lines(osp.join(folder, f'class_labels{suffix}.txt'),
                        [f'{p},{TAXA[s][col]}' for p, s, *_ in items])
        if split != 'train':
            write_lines(osp.join(folder, 'image_sizes.txt'),
                        [f'{p},{h},{w}' for p, _, (w, h), _ in items])
            write_lines(osp.join(folder, 'localization.txt'), [
                f'{p},' + ','.join(map(str, box))
                for p, _, _, boxes in items for box in boxes
            ])
    return str(root)


@pytest.fixture
def root(tmp_path):
    return write_release(tmp_path / 'iNatLoc500')


def meta_file(root, split, name):
    return osp.join(root, 'metadata', split, name)


def build_from_config(root, split, level=None):
    """The ``<split>`` dataset of the base config with ``data_root=root``."""
    cfg = Config.fromfile(CONFIG)
    key = {'train': 'train_dataloader', 'val': 'val_dataloader',
           'test': 'test_dataloader'}[split]
    dataset_cfg = cfg[key].dataset
    dataset_cfg.data_root = root
    if level is not None:
        dataset_cfg.level = level
    init_default_scope('wsol_mm')
    return DATASETS.build(dataset_cfg)


class Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


def warnings_while(func):
    """Run ``func``; return its result and the WARNING messages logged."""
    logger = MMLogger.get_current_instance()
    handler = Records()
    logger.addHandler(handler)
    try:
        result = func()
    finally:
        logger.removeHandler(handler)
    return result, [r.getMessage() for r in handler.records
                    if r.levelno == logging.WARNING]


def test_config_reads_every_split_and_level(root):
    assert Config.fromfile(CONFIG).train_dataloader.dataset.type == \
        'INatLoc500'
    for split, items in SPLITS.items():
        dataset, warned = warnings_while(
            lambda: build_from_config(root, split))
        assert warned == []  # the recorded height,width match the files
        assert isinstance(dataset, INatLoc500) and dataset.split == split
        assert len(dataset) == len(items)
        meta = dataset.metainfo
        assert meta['levels'] == LEVELS
        assert meta['level'] == 'species'
        assert meta['classes'] == tuple(NAMES['species'])
        assert meta['level_classes'] == {
            level: tuple(NAMES[level]) for level in LEVELS}
        for idx, (path, species, _, boxes) in enumerate(items):
            info = dataset.get_data_info(idx)
            assert info['img_id'] == path
            assert info['img_path'] == osp.join(root, path)
            assert osp.isfile(info['img_path'])
            assert info['gt_label'] == species
            assert info['level_labels'] == dict(zip(LEVELS, TAXA[species]))
            assert info['gt_bboxes'].dtype == np.float64
            assert info['gt_bboxes'].shape == (len(boxes), 4)
            np.testing.assert_array_equal(
                info['gt_bboxes'], np.reshape(boxes, (-1, 4)))


@pytest.mark.parametrize('level,labels,classes', [
    ('genus', [1, 2], ('Corvus', 'Pica', 'Parus')),
    ('family', [0, 1], ('Corvidae', 'Paridae')),
    ('kingdom', [0, 0], ('Animalia', )),
])
def test_level_sets_gt_label_and_classes(root, level, labels, classes):
    dataset = build_from_config(root, 'test', level=level)
    assert dataset.metainfo['classes'] == classes
    assert dataset.metainfo['level'] == level
    assert [dataset.get_cat_ids(i)[0] for i in range(2)] == labels
    # The species stay available.
    assert [dataset.get_data_info(i)['level_labels']['species']
            for i in range(2)] == [2, 3]


def test_metadata_root_defaults_to_data_root(root, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./metadata here
    dataset = INatLoc500(root, split='val')
    assert dataset.metadata_root == osp.join(root, 'metadata')
    assert len(dataset) == 1 and dataset.get_data_info(0)['gt_label'] == 1


def test_pipeline_sees_the_level_label(root):
    dataset = build_from_config(root, 'test', level='genus')
    packed = dataset[0]
    assert packed['inputs'].shape == (3, 224, 224)
    assert packed['data_samples'].gt_label.tolist() == [1]


def test_bad_arguments(root):
    with pytest.raises(ValueError, match='level must be one of'):
        INatLoc500(root, split='test', level='subspecies')
    with pytest.raises(ValueError, match='split must be one of'):
        INatLoc500(root, split='train-weaksup')


def test_size_mismatch_warns_and_boxes_use_the_real_size(root):
    sizes = meta_file(root, 'test', 'image_sizes.txt')
    # Recorded as width,height (the wsolevaluation order): 20 x 50 swapped.
    replace_line(sizes, 1, 'test/Aves/Pica pica/img 0002.jpg,50,20')
    dataset, warned = warnings_while(
        lambda: INatLoc500(root, split='test'))
    assert len(dataset) == 2
    assert len(warned) == 1
    assert warned[0].startswith(f'{sizes}:1: recorded size height 50, '
                                f'width 20')
    assert 'height 20, width 50' in warned[0]
    np.testing.assert_array_equal(dataset.get_data_info(0)['gt_bboxes'][0],
                                  [0, 0, 45, 20])


def test_box_outside_the_real_image_fails(root):
    # The recorded size allows the box; the image (30 wide) does not.
    replace_line(meta_file(root, 'test', 'image_sizes.txt'), 2,
                 'test/Aves/Parus major/img 0003.jpg,600,400')
    loc = meta_file(root, 'test', 'localization.txt')
    replace_line(loc, 3, 'test/Aves/Parus major/img 0003.jpg,3,4,31,58')
    with pytest.raises(ValueError, match=re.escape(f'{loc}:3:') +
                       '.*outside its image of width 30 and height 60'):
        INatLoc500(root, split='test')


def test_exif_orientation_swaps_the_loaded_size(tmp_path):
    path = str(tmp_path / 'rotated photo.jpg')
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees when displayed
    Image.fromarray(np.zeros((30, 50, 3), np.uint8)).save(
        path, exif=exif.tobytes())
    assert image_size_as_loaded(path, 'x:1') == (30, 50)
    assert cv2.imread(path).shape[:2] == (50, 30)  # what the loaders see
    plain = str(tmp_path / 'plain.jpg')
    Image.fromarray(np.zeros((30, 50, 3), np.uint8)).save(plain)
    assert image_size_as_loaded(plain, 'x:1') == (50, 30)


def test_class_names_label_after_the_last_comma(tmp_path):
    path = tmp_path / 'class_names.txt'
    path.write_text('Foo, the bar,1\nBaz qux,0\n')
    assert read_class_names(str(path)) == ['Baz qux', 'Foo, the bar']


# (split, file, line, content, exception, message after ``<file>:<line>:``);
# with line None the file's lines become ``content`` and the message starts
# with ``<file>:``.
BAD_FILES = [
    pytest.param('test', 'class_labels_genus.txt', 2,
                 'test/Aves/Parus major/img 0003.jpg', ValueError,
                 '.*expected 2 fields, got 1', id='wrong_column_count'),
    pytest.param('test', 'localization.txt', 1,
                 'test/Aves/Pica pica/img 0002.jpg,0,0,45', ValueError,
                 '.*expected 5 fields, got 4', id='localization_columns'),
    pytest.param('val', 'class_labels_family.txt', 1,
                 'val/Aves/Corvus corone/img 0001.jpg,2', ValueError,
                 '.*class label 2 is outside the 2 classes of '
                 'class_names_family.txt', id='unknown_class_label'),
    pytest.param('test', 'class_labels.txt', 1,
                 'test/Aves/Pica pica/img 0002.jpg,-1', ValueError,
                 '.*class label -1 is outside the 4 classes',
                 id='negative_label'),
    pytest.param('test', 'localization.txt', 2,
                 'test/Aves/Pica pica/img 9999.jpg,0,0,1,1', ValueError,
                 ".*unknown image id 'test/Aves/Pica pica/img 9999.jpg'",
                 id='unknown_image'),
    pytest.param('train', 'class_labels_order.txt', 3,
                 'train/Aves Pica pica/img 0007.jpg,x', ValueError,
                 ".*class label must be an integer, got 'x'",
                 id='non_numeric_label'),
    pytest.param('test', 'image_sizes.txt', 1,
                 'test/Aves/Pica pica/img 0002.jpg,20,0', ValueError,
                 '.*image size \\[20, 0\\] is not positive',
                 id='zero_size'),
    pytest.param('test', 'localization.txt', 3,
                 'test/Aves/Parus major/img 0003.jpg,9,4,3,58', ValueError,
                 '.*x1 < x0', id='reversed_box'),
    pytest.param('train', 'image_ids.txt', 3,
                 'train/Aves Corvus corax/img 0001.jpg', ValueError,
                 ".*'train/Aves Corvus corax/img 0001.jpg' appears twice",
                 id='duplicate_image'),
    pytest.param('test', 'class_labels_phylum.txt', None,
                 ['test/Aves/Pica pica/img 0002.jpg,0'], ValueError,
                 ".*'test/Aves/Parus major/img 0003.jpg'.*image_ids.txt:2"
                 '.*0 lines', id='image_without_label'),
    pytest.param('test', 'localization.txt', None,
                 ['test/Aves/Parus major/img 0003.jpg,3,4,10,58'],
                 ValueError, ".*'test/Aves/Pica pica/img 0002.jpg'.*no box",
                 id='image_without_box'),
]


@pytest.mark.parametrize('split,name,line,content,exc,fragment', BAD_FILES)
def test_bad_file(root, split, name, line, content, exc, fragment):
    path = meta_file(root, split, name)
    if line is None:
        write_lines(path, content)
        prefix = re.escape(f'{path}:')
    else:
        replace_line(path, line, content)
        prefix = re.escape(f'{path}:{line}:')
    with pytest.raises(exc, match=prefix + fragment):
        INatLoc500(root, split=split)


@pytest.mark.parametrize('content,fragment', [
    (['Corvus,0', 'Pica,0', 'Parus,2'], ':2: class label 0 is negative or '
     'appears twice'),
    (['Corvus,0', 'Corvus,1', 'Parus,2'], ":2: class name 'Corvus' is empty "
     'or appears twice'),
    (['Corvus 0'], ':1: expected name,label'),
    (['Corvus,0', 'Parus,2'], ': class labels must be 0..2; missing \\[1\\]'),
])
def test_bad_class_names(root, content, fragment):
    path = osp.join(root, 'metadata', 'class_names_genus.txt')
    write_lines(path, content)
    with pytest.raises(ValueError, match=re.escape(path) + fragment):
        INatLoc500(root, split='val')


@pytest.mark.parametrize('split,name', [
    ('val', 'val/class_labels_kingdom.txt'),
    ('train', 'class_names_order.txt'),
    ('test', 'test/image_sizes.txt'),
    ('val', 'val/localization.txt'),
])
def test_missing_file(root, split, name):
    path = osp.join(root, 'metadata', name)
    os.remove(path)
    with pytest.raises(FileNotFoundError, match=re.escape(path)):
        INatLoc500(root, split=split)


@pytest.mark.parametrize('split,line', [('train', 2), ('test', 1)])
def test_missing_image(root, split, line):
    path = SPLITS[split][line - 1][0]
    os.remove(osp.join(root, path))
    ids = meta_file(root, split, 'image_ids.txt')
    with pytest.raises(FileNotFoundError, match=re.escape(
            f'{ids}:{line}: image file not found: {osp.join(root, path)}')):
        INatLoc500(root, split=split)
