"""WSOLMetadataDataset: splits, multi-box images, sizes and bad inputs."""
import os
import os.path as osp
import re

import numpy as np
import pytest
from mmengine.registry import DefaultScope

from wsol_mm.datasets import WSOLMetadataDataset

from _layout import replace_line, write_lines, write_wsol_lists

# path: (label, (width, height))
IMAGES = {
    'c0/x.jpg': (0, (40, 30)),
    'c0/y.jpg': (0, (20, 20)),
    'c1/z.jpg': (1, (30, 50)),
}
SPLITS = {
    'train': dict(ids=['c0/x.jpg', 'c0/y.jpg', 'c1/z.jpg'], boxes=None),
    'val': dict(ids=['c0/x.jpg'], boxes=[('c0/x.jpg', '1,2,39,29')]),
    'test': dict(
        ids=['c1/z.jpg', 'c0/y.jpg'],
        boxes=[('c0/y.jpg', '0,0,20,20'), ('c1/z.jpg', '3,4,10,50'),
               ('c0/y.jpg', '5.5,6,7.25,8')]),
}


@pytest.fixture
def layout(tmp_path):
    """(data_root, metadata_root) of a tiny wsolevaluation layout."""
    data_root = tmp_path / 'data'
    meta = tmp_path / 'metadata'
    write_wsol_lists(str(data_root), str(meta), IMAGES,
                     {split: spec['ids'] for split, spec in SPLITS.items()})
    for split, spec in SPLITS.items():
        ids = spec['ids']
        if spec['boxes'] is not None:
            write_lines(str(meta / split / 'image_sizes.txt'), [
                f'{p},{IMAGES[p][1][0]},{IMAGES[p][1][1]}' for p in ids
            ])
            write_lines(str(meta / split / 'localization.txt'),
                        [f'{p},{box}' for p, box in spec['boxes']])
    return str(data_root), str(meta)


def test_test_split_multi_box(layout):
    data_root, meta = layout
    dataset = WSOLMetadataDataset(data_root, meta, split='test')
    assert len(dataset) == 2
    assert dataset.metainfo['classes'] == ('0', '1')
    z, y = dataset.get_data_info(0), dataset.get_data_info(1)
    # Order of image_ids.txt, not of localization.txt.
    assert (z['img_id'], y['img_id']) == ('c1/z.jpg', 'c0/y.jpg')
    assert z['img_path'] == osp.join(data_root, 'c1', 'z.jpg')
    assert (z['gt_label'], y['gt_label']) == (1, 0)
    assert y['gt_bboxes'].dtype == np.float64
    np.testing.assert_array_equal(z['gt_bboxes'], [[3, 4, 10, 50]])
    np.testing.assert_array_equal(y['gt_bboxes'],
                                  [[0, 0, 20, 20], [5.5, 6, 7.25, 8]])


def test_train_split_without_localization(layout):
    data_root, meta = layout
    dataset = WSOLMetadataDataset(data_root, meta, split='train')
    assert [dataset.get_data_info(i)['img_id'] for i in range(3)] == [
        'c0/x.jpg', 'c0/y.jpg', 'c1/z.jpg'
    ]
    assert [dataset.get_cat_ids(i) for i in range(3)] == [[0], [0], [1]]
    for i in range(3):
        boxes = dataset.get_data_info(i)['gt_bboxes']
        assert boxes.shape == (0, 4) and boxes.dtype == np.float64


def test_val_split(layout):
    data_root, meta = layout
    dataset = WSOLMetadataDataset(data_root, meta, split='val')
    info = dataset.get_data_info(0)
    assert len(dataset) == 1 and info['img_id'] == 'c0/x.jpg'
    np.testing.assert_array_equal(info['gt_bboxes'], [[1, 2, 39, 29]])


def test_bad_split(layout):
    with pytest.raises(ValueError, match='split'):
        WSOLMetadataDataset(*layout, split='train-fullsup')


def test_metadata_root_resolution(layout, tmp_path, monkeypatch):
    data_root, meta = layout
    # Relative to the current directory when it exists there ...
    monkeypatch.chdir(tmp_path)
    dataset = WSOLMetadataDataset(data_root, 'metadata', split='val')
    assert dataset.metadata_dir == osp.join(meta, 'val')
    # ... otherwise relative to data_root.
    os.rename(meta, osp.join(data_root, 'meta'))
    dataset = WSOLMetadataDataset(data_root, 'meta', split='val')
    assert dataset.metadata_dir == osp.join(data_root, 'meta', 'val')


def test_classes_argument(layout, tmp_path):
    data_root, meta = layout
    dataset = WSOLMetadataDataset(
        data_root, meta, split='test', classes=('cat', 'dog', 'eel'))
    assert dataset.metainfo['classes'] == ('cat', 'dog', 'eel')
    names = tmp_path / 'names.txt'
    names.write_text('cat\ndog\n')
    dataset = WSOLMetadataDataset(
        data_root, meta, split='test', classes=str(names))
    assert dataset.metainfo['classes'] == ('cat', 'dog')
    with pytest.raises(FileNotFoundError, match='nothere.txt'):
        WSOLMetadataDataset(
            data_root,
            meta,
            split='test',
            classes=str(tmp_path / 'nothere.txt'))


def test_label_outside_classes(layout):
    data_root, meta = layout
    path = osp.join(meta, 'test', 'class_labels.txt')
    with pytest.raises(ValueError, match=re.escape(f'{path}:1:') +
                       '.*class label 1 is outside the 1 classes'):
        WSOLMetadataDataset(data_root, meta, split='test', classes=('a', ))


def test_missing_localization(layout):
    data_root, meta = layout
    path = osp.join(meta, 'test', 'localization.txt')
    os.remove(path)
    with pytest.raises(FileNotFoundError, match=re.escape(path)):
        WSOLMetadataDataset(data_root, meta, split='test')


# One bad annotation file each: (split, file, line, content, exception,
# message after its ``<file>:<line>:`` start). With a line, ``content``
# replaces that line; with ``None``, the whole file is rewritten as the lines
# ``content`` and the message starts with ``<file>:``.
BAD_ANNOTATIONS = [
    pytest.param('test', 'class_labels.txt', 2, 'c0/y.jpg,-1', ValueError,
                 '.*class label -1', id='negative_label'),
    pytest.param('test', 'localization.txt', 2, 'c1/z.jpg,3,4,10',
                 ValueError, '.*expected 5 fields, got 4',
                 id='wrong_column_count'),
    pytest.param('test', 'image_sizes.txt', 1, 'c1/z.jpg,30,fifty',
                 ValueError, ".*'fifty'", id='non_numeric_size'),
    # z is 30 x 50; y1 = 51 > 50.
    pytest.param('test', 'localization.txt', 2, 'c1/z.jpg,3,4,10,51',
                 ValueError, '.*outside its image of width 30 and height 50',
                 id='box_outside_image'),
    pytest.param('test', 'localization.txt', 3, 'c0/y.jpg,8,6,7.25,8',
                 ValueError, '.*x1 < x0', id='reversed_box'),
    pytest.param('test', 'localization.txt', 1, 'c0/x.jpg,0,0,1,1',
                 ValueError, ".*unknown image id 'c0/x.jpg'",
                 id='unknown_image_id'),
    pytest.param('test', 'localization.txt', None, ['c0/y.jpg,0,0,20,20'],
                 ValueError, ".*'c1/z.jpg'.*no box", id='image_without_box'),
    pytest.param('val', 'class_labels.txt', None, [], ValueError,
                 ".*'c0/x.jpg'.*0 lines", id='image_without_label'),
]


@pytest.mark.parametrize('split,name,line,content,exc,fragment',
                         BAD_ANNOTATIONS)
def test_bad_annotation(layout, split, name, line, content, exc, fragment):
    data_root, meta = layout
    path = osp.join(meta, split, name)
    if line is None:
        write_lines(path, content)
        prefix = re.escape(f'{path}:')
    else:
        replace_line(path, line, content)
        prefix = re.escape(f'{path}:{line}:')
    with pytest.raises(exc, match=prefix + fragment):
        WSOLMetadataDataset(data_root, meta, split=split)


def test_missing_image_file(layout):
    data_root, meta = layout
    img_path = osp.join(data_root, 'c0', 'y.jpg')
    os.remove(img_path)
    ids = osp.join(meta, 'test', 'image_ids.txt')
    with pytest.raises(FileNotFoundError, match=re.escape(
            f'{ids}:2: image file not found: {img_path}')):
        WSOLMetadataDataset(data_root, meta, split='test')


def test_corrupt_image_fails_in_pipeline(layout):
    data_root, meta = layout
    img_path = osp.join(data_root, 'c1', 'z.jpg')
    with open(img_path, 'wb') as f:
        f.write(b'\xff\xd8 truncated nonsense')
    with DefaultScope.overwrite_default_scope('wsol_mm'):
        dataset = WSOLMetadataDataset(
            data_root,
            meta,
            split='test',
            pipeline=[dict(type='LoadImageFromFile')])
    assert dataset[1]['img'].shape == (20, 20, 3)
    with pytest.raises(Exception, match=re.escape(img_path)):
        dataset[0]
