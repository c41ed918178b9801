"""CUB: every field of a tiny hand-written release, and bad-input errors."""
import os
import os.path as osp
import re
import struct

import cv2
import numpy as np
import pytest
from mmengine.registry import DefaultScope

from wsol_mm.datasets import CUB

from _layout import protocol_test_pipeline, replace_line, write_lines

# id: (relpath, label 1-based, is_train, (width, height), (x, y, w, h))
IMAGES = {
    1: ('001.Alpha/alpha_1.jpg', 1, 1, (40, 30), (2.5, 3.0, 10.0, 20.0)),
    2: ('001.Alpha/alpha_2.jpg', 1, 0, (50, 20), (0.0, 0.0, 50.0, 20.0)),
    3: ('002.Beta/beta_1.jpg', 2, 1, (30, 40), (5.0, 6.0, 7.0, 8.0)),
    4: ('003.Gamma/gamma_1.jpg', 3, 0, (25, 25), (1.0, 2.0, 3.0, 4.0)),
    5: ('003.Gamma/gamma_2.png', 3, 1, (60, 30), (10.0, 10.0, 40.0, 15.0)),
}
CLASSES = ['001.Alpha', '002.Beta', '003.Gamma']


def write_cub(root):
    """Write the release layout of IMAGES under ``root``; return ``root``."""
    rng = np.random.default_rng(0)
    for relpath, _, _, (w, h), _ in IMAGES.values():
        path = osp.join(root, 'images', relpath)
        os.makedirs(osp.dirname(path), exist_ok=True)
        cv2.imwrite(path, rng.integers(0, 256, (h, w, 3), dtype=np.uint8))

    def write(name, lines):
        write_lines(osp.join(root, name), lines)

    write('images.txt', [f'{i} {v[0]}' for i, v in IMAGES.items()])
    write('image_class_labels.txt', [f'{i} {v[1]}' for i, v in IMAGES.items()])
    write('train_test_split.txt', [f'{i} {v[2]}' for i, v in IMAGES.items()])
    write('bounding_boxes.txt',
          [f'{i} ' + ' '.join(map(str, v[4])) for i, v in IMAGES.items()])
    write('classes.txt', [f'{k + 1} {n}' for k, n in enumerate(CLASSES)])
    return str(root)


@pytest.fixture
def root(tmp_path):
    return write_cub(tmp_path / 'CUB_200_2011')


def test_train_split_fields(root):
    dataset = CUB(data_root=root, split='train')
    assert len(dataset) == 3
    assert dataset.metainfo['classes'] == ('Alpha', 'Beta', 'Gamma')
    expected = [
        ('1', 'alpha_1.jpg', 0, [2.5, 3.0, 12.5, 23.0]),
        ('3', 'beta_1.jpg', 1, [5.0, 6.0, 12.0, 14.0]),
        ('5', 'gamma_2.png', 2, [10.0, 10.0, 50.0, 25.0]),
    ]
    for idx, (img_id, name, label, box) in enumerate(expected):
        info = dataset.get_data_info(idx)
        assert info['img_id'] == img_id
        assert osp.isabs(info['img_path'])
        assert info['img_path'] == osp.join(
            root, 'images', IMAGES[int(img_id)][0])
        assert info['img_path'].endswith(name)
        assert info['gt_label'] == label
        assert info['gt_bboxes'].dtype == np.float64
        assert info['gt_bboxes'].shape == (1, 4)
        np.testing.assert_array_equal(info['gt_bboxes'], [box])
        assert info['sample_idx'] == idx
        assert dataset.get_cat_ids(idx) == [label]


def test_test_split_fields(root):
    dataset = CUB(data_root=root, split='test')
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    assert [i['img_id'] for i in infos] == ['2', '4']
    assert [i['gt_label'] for i in infos] == [0, 2]
    np.testing.assert_array_equal(infos[0]['gt_bboxes'], [[0, 0, 50, 20]])
    np.testing.assert_array_equal(infos[1]['gt_bboxes'], [[1, 2, 4, 6]])


def test_relative_data_root(root, monkeypatch):
    monkeypatch.chdir(osp.dirname(root))
    dataset = CUB(data_root='CUB_200_2011', split='test')
    assert dataset.get_data_info(0)['img_path'] == osp.join(
        root, 'images', IMAGES[2][0])


def test_bad_split(root):
    with pytest.raises(ValueError, match='split'):
        CUB(data_root=root, split='val')


def test_missing_bounding_boxes(root):
    path = osp.join(root, 'bounding_boxes.txt')
    os.remove(path)
    with pytest.raises(FileNotFoundError, match=re.escape(path)):
        CUB(data_root=root)


# One bad line each: (split, file, line, replacement, exception, message
# after its ``<file>:<line>:`` start).
BAD_ANNOTATIONS = [
    pytest.param('train', 'bounding_boxes.txt', 3, '3 5.0 6.0 7.0',
                 ValueError, '.*expected 5 fields, got 4',
                 id='wrong_column_count'),
    pytest.param('test', 'bounding_boxes.txt', 4, '4 1.0 two 3.0 4.0',
                 ValueError, ".*'two'", id='non_numeric_field'),
    # Image 1 is 40 wide: x + w = 2.5 + 38 = 40.5 > 40.
    pytest.param('train', 'bounding_boxes.txt', 1, '1 2.5 3.0 38.0 20.0',
                 ValueError, '.*outside its image of width 40',
                 id='box_outside_image'),
    pytest.param('train', 'bounding_boxes.txt', 5, '5 10.0 10.0 -1.0 15.0',
                 ValueError, '.*x1 < x0', id='negative_box_size'),
    pytest.param('train', 'image_class_labels.txt', 2, '2 4', ValueError,
                 '.*class label 4 is outside the 3 classes',
                 id='label_above_classes'),
    pytest.param('train', 'image_class_labels.txt', 2, '2 0', ValueError, '',
                 id='label_zero'),
    pytest.param('train', 'train_test_split.txt', 3, '33 1', ValueError,
                 ".*unknown image id '33'", id='unknown_image_id'),
]


@pytest.mark.parametrize('split,name,line,text,exc,fragment', BAD_ANNOTATIONS)
def test_bad_annotation(root, split, name, line, text, exc, fragment):
    path = osp.join(root, name)
    replace_line(path, line, text)
    with pytest.raises(exc, match=re.escape(f'{path}:{line}:') + fragment):
        CUB(data_root=root, split=split)


def test_box_touching_border(root):
    # Image 1 is 40 x 30: a box exactly touching its border is fine.
    path = osp.join(root, 'bounding_boxes.txt')
    replace_line(path, 1, '1 2.5 3.0 37.5 27.0')
    info = CUB(data_root=root).get_data_info(0)
    np.testing.assert_array_equal(info['gt_bboxes'], [[2.5, 3, 40, 30]])


def test_missing_image_file(root):
    img_path = osp.join(root, 'images', IMAGES[3][0])
    os.remove(img_path)
    images_txt = osp.join(root, 'images.txt')
    with pytest.raises(FileNotFoundError, match=re.escape(
            f'{images_txt}:3: image file not found: {img_path}')):
        CUB(data_root=root)


def test_unreadable_image_header(root):
    img_path = osp.join(root, 'images', IMAGES[1][0])
    with open(img_path, 'wb') as f:
        f.write(b'this is not an image')
    with pytest.raises(ValueError, match=re.escape(img_path)):
        CUB(data_root=root)


def corrupt_png_body(path, width, height):
    """A PNG whose header is valid (PIL reads its size) but whose pixel data
    is garbage, so that decoding fails."""
    cv2.imwrite(path, np.zeros((height, width, 3), np.uint8))
    with open(path, 'rb') as f:
        data = f.read()
    garbage = bytes(range(64))
    # signature (8) + IHDR chunk (25), then an IDAT chunk full of garbage.
    with open(path, 'wb') as f:
        f.write(data[:33] + struct.pack('>I', len(garbage)) + b'IDAT' +
                garbage + b'\0\0\0\0' + data[-12:])


def test_corrupt_image_fails_in_pipeline(root):
    img_path = osp.join(root, 'images', IMAGES[5][0])
    corrupt_png_body(img_path, 60, 30)
    with DefaultScope.overwrite_default_scope('wsol_mm'):
        dataset = CUB(
            data_root=root,
            split='train',
            pipeline=[dict(type='LoadImageFromFile')])
    assert dataset[0]['img'].shape == (30, 40, 3)
    with pytest.raises(Exception, match=re.escape(img_path)):
        dataset[2]


def test_full_pipeline(root):
    with DefaultScope.overwrite_default_scope('wsol_mm'):
        dataset = CUB(
            data_root=root,
            split='train',
            test_mode=True,
            pipeline=protocol_test_pipeline())
    packed = dataset[1]
    assert packed['inputs'].shape == (3, 224, 224)
    sample = packed['data_samples']
    assert sample.img_id == '3'
    assert sample.ori_shape == (40, 30)
    assert sample.gt_label.tolist() == [1]
    # Image 3 is 30 x 40 with box [5, 6, 12, 14].
    expected = [5 * 224 / 30, 6 * 224 / 40, 12 * 224 / 30, 14 * 224 / 40]
    np.testing.assert_array_equal(sample.gt_bboxes.numpy(), [expected])
