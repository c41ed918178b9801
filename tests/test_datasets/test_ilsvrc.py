"""ILSVRC in the wsolevaluation layout, read through its _base_ config:
splits, several boxes per image, the proxy list, pipelines, bad inputs and
the synthetic writer."""
import filecmp
import os
import os.path as osp
import re

import cv2
import numpy as np
import pytest
from mmengine.config import Config

from wsol_mm.datasets.ilsvrc import ILSVRC
from wsol_mm.datasets.synthetic_wsol_layouts import write_ilsvrc_layout

from _layout import (dataset_from_config, replace_line, write_lines,
                     write_wsol_lists)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets', 'ilsvrc.py')

# path: (label, (width, height))
IMAGES = {
    'train/n01/n01_1.JPEG': (0, (40, 30)),
    'train/n01/n01_2.JPEG': (0, (20, 20)),
    'train/n02/n02_1.JPEG': (1, (30, 50)),
    'train/n02/n02_2.JPEG': (1, (24, 16)),
    'val2/0/0.jpeg': (0, (40, 30)),
    'val2/1/0.jpeg': (1, (32, 32)),
    'val/ILSVRC2012_val_00000001.JPEG': (1, (40, 30)),
    'val/ILSVRC2012_val_00000002.JPEG': (0, (50, 20)),
}
TRAIN = ['train/n01/n01_1.JPEG', 'train/n01/n01_2.JPEG',
         'train/n02/n02_1.JPEG', 'train/n02/n02_2.JPEG']
PROXY = ['train/n02/n02_1.JPEG', 'train/n01/n01_1.JPEG']
VAL_BOXES = [('val2/0/0.jpeg', (4, 3, 40, 30)),
             ('val2/1/0.jpeg', (0, 0, 32, 32))]
TEST_BOXES = [('val/ILSVRC2012_val_00000001.JPEG', (4, 3, 40, 30)),
              ('val/ILSVRC2012_val_00000002.JPEG', (0, 0, 10, 20)),
              ('val/ILSVRC2012_val_00000001.JPEG', (10, 12, 20, 18)),
              ('val/ILSVRC2012_val_00000002.JPEG', (20, 1, 30, 19)),
              ('val/ILSVRC2012_val_00000002.JPEG', (35.5, 2, 50, 20))]
SPLITS = dict(
    train=dict(ids=TRAIN, boxes=None),
    val=dict(ids=['val2/0/0.jpeg', 'val2/1/0.jpeg'], boxes=VAL_BOXES),
    test=dict(ids=['val/ILSVRC2012_val_00000002.JPEG',
                   'val/ILSVRC2012_val_00000001.JPEG'], boxes=TEST_BOXES))


@pytest.fixture
def layout(tmp_path):
    """(data_root, metadata_root) of a tiny ILSVRC in the official layout."""
    data_root = tmp_path / 'ILSVRC'
    meta = tmp_path / 'metadata' / 'ILSVRC'
    write_wsol_lists(str(data_root), str(meta), IMAGES,
                     {split: spec['ids'] for split, spec in SPLITS.items()})
    for split, spec in SPLITS.items():
        ids = spec['ids']
        write_lines(str(meta / split / 'image_sizes.txt'),
                    [f'{p},{IMAGES[p][1][0]},{IMAGES[p][1][1]}' for p in ids])
        if spec['boxes'] is not None:
            write_lines(str(meta / split / 'localization.txt'), [
                f'{p},{",".join(map(str, box))}' for p, box in spec['boxes']
            ])
    write_lines(str(meta / 'train' / 'image_ids_proxy.txt'), PROXY)
    return str(data_root), str(meta)


def from_config(split, data_root, metadata_root, config=CONFIG, **overrides):
    """The split's dataset built from the _base_ config's dataloader."""
    return dataset_from_config(config, split, 'ILSVRC', data_root=data_root,
                               metadata_root=metadata_root, **overrides)


def boxes_of(img_id, boxes):
    return [list(box) for path, box in boxes if path == img_id]


@pytest.mark.parametrize('split', ['val', 'test'])
def test_boxed_splits(layout, split):
    dataset = from_config(split, *layout)
    assert isinstance(dataset, ILSVRC)
    ids = SPLITS[split]['ids']
    assert len(dataset) == len(ids)
    assert dataset.metainfo['classes'] == ('0', '1')
    for idx, img_id in enumerate(ids):
        info = dataset.get_data_info(idx)
        assert info['img_id'] == img_id
        assert info['img_path'] == osp.join(layout[0], img_id)
        assert info['gt_label'] == IMAGES[img_id][0]
        assert info['gt_bboxes'].dtype == np.float64
        np.testing.assert_array_equal(
            info['gt_bboxes'], boxes_of(img_id, SPLITS[split]['boxes']))
    if split == 'test':  # several boxes, in localization.txt order
        np.testing.assert_array_equal(
            dataset.get_data_info(0)['gt_bboxes'],
            [[0, 0, 10, 20], [20, 1, 30, 19], [35.5, 2, 50, 20]])


def test_train_split_and_proxy(layout):
    dataset = from_config('train', *layout)
    assert [dataset.get_data_info(i)['img_id'] for i in range(4)] == TRAIN
    assert [dataset.get_cat_ids(i) for i in range(4)] == [[0], [0], [1], [1]]
    for i in range(4):
        assert dataset.get_data_info(i)['gt_bboxes'].shape == (0, 4)
    proxy = from_config('train', *layout, proxy=True)
    assert len(proxy) == 2 and proxy.proxy
    # The proxy list's order, labels from class_labels.txt.
    assert [proxy.get_data_info(i)['img_id'] for i in range(2)] == PROXY
    assert [proxy.get_data_info(i)['gt_label'] for i in range(2)] == [1, 0]
    assert proxy.metainfo['classes'] == ('0', '1')


def test_proxy_needs_its_file(layout):
    data_root, meta = layout
    path = osp.join(meta, 'train', 'image_ids_proxy.txt')
    os.remove(path)
    assert len(from_config('train', *layout)) == 4  # not needed without proxy
    with pytest.raises(FileNotFoundError, match=re.escape(path)):
        from_config('train', *layout, proxy=True)


def test_proxy_id_outside_image_ids(layout):
    data_root, meta = layout
    path = osp.join(meta, 'train', 'image_ids_proxy.txt')
    replace_line(path, 2, 'train/n03/n03_1.JPEG')
    with pytest.raises(ValueError, match=re.escape(f'{path}:2:') +
                       ".*'train/n03/n03_1.JPEG' is not in .*image_ids.txt"):
        from_config('train', *layout, proxy=True)


def test_proxy_only_for_train(layout):
    with pytest.raises(ValueError, match="proxy=True needs split='train'"):
        ILSVRC(*layout, split='test', proxy=True)


def test_class_names(layout, tmp_path):
    names = tmp_path / 'names.txt'
    names.write_text('tench\ngoldfish\nshark\n')
    dataset = from_config('test', *layout, classes=str(names))
    assert dataset.metainfo['classes'] == ('tench', 'goldfish', 'shark')


def test_test_pipelines(layout, tmp_path):
    """The config's wsolevaluation test pipeline warps to 224 x 224; the
    older protocol's (resize 256, centre crop 224) is selected by a child
    config through test_pipeline_center_crop."""
    dataset = from_config('val', *layout, test_mode=True)
    sample = dataset[0]['data_samples']  # val2/0/0.jpeg: 40 x 30
    assert dataset[0]['inputs'].shape == (3, 224, 224)
    np.testing.assert_allclose(sample.gt_bboxes.numpy(),
                               [[4 * 224 / 40, 3 * 224 / 30, 224, 224]])

    child = tmp_path / 'center_crop.py'
    child.write_text(
        f'_base_ = [{CONFIG!r}]\n'
        'val_dataloader = dict(\n'
        '    dataset=dict(pipeline={{_base_.test_pipeline_center_crop}}))\n')
    dataset = from_config('val', *layout, config=str(child), test_mode=True)
    types = [type(t).__name__ for t in dataset.pipeline.transforms]
    assert types == ['LoadWSOLImageFromFile', 'Resize', 'CenterCrop',
                     'PackWSOLInputs']
    packed = dataset[0]
    assert packed['inputs'].shape == (3, 224, 224)
    # 40 x 30 -> 256 x 256: (4, 3, 40, 30) -> (25.6, 25.6, 256, 256); the
    # crop starts at (16, 16) and clips to 224.
    np.testing.assert_allclose(packed['data_samples'].gt_bboxes.numpy(),
                               [[9.6, 9.6, 224, 224]])


def test_train_pipeline(layout):
    cfg = Config.fromfile(CONFIG)
    assert [t['type'] for t in cfg.train_pipeline] == [
        'LoadWSOLImageFromFile', 'Resize', 'RandomCrop', 'RandomFlip',
        'PackWSOLInputs'
    ]
    assert cfg.train_pipeline[1]['size'] == (256, 256)
    assert cfg.train_pipeline[2]['size'] == 224
    dataset = from_config('train', *layout)
    assert dataset[0]['inputs'].shape == (3, 224, 224)


# (split, file, line, new content, exception, message after '<file>:<line>:')
BAD_ANNOTATIONS = [
    pytest.param('test', 'localization.txt', 2,
                 'val/ILSVRC2012_val_00000002.JPEG,0,0,10', ValueError,
                 '.*expected 5 fields, got 4', id='wrong_column_count'),
    pytest.param('test', 'class_labels.txt', 1,
                 'val/ILSVRC2012_val_00000001.JPEG,1,7', ValueError,
                 '.*expected 2 fields, got 3', id='wrong_label_columns'),
    pytest.param('test', 'localization.txt', 3,
                 'val/ILSVRC2012_val_00000009.JPEG,1,1,2,2', ValueError,
                 ".*unknown image id 'val/ILSVRC2012_val_00000009.JPEG'",
                 id='unknown_image'),
    # image 2 is 50 x 20: y1 = 21 is outside.
    pytest.param('test', 'localization.txt', 4,
                 'val/ILSVRC2012_val_00000002.JPEG,20,1,30,21', ValueError,
                 '.*outside its image of width 50 and height 20',
                 id='box_outside_image'),
    pytest.param('val', 'class_labels.txt', 2, 'val2/1/0.jpeg,one',
                 ValueError, ".*class label must be an integer, got 'one'",
                 id='non_numeric_label'),
    pytest.param('train', 'image_ids.txt', 3, 'train/n01/n01_1.JPEG',
                 ValueError, ".*'train/n01/n01_1.JPEG' appears twice",
                 id='duplicated_id'),
]


@pytest.mark.parametrize('split,name,line,content,exc,fragment',
                         BAD_ANNOTATIONS)
def test_bad_annotation(layout, split, name, line, content, exc, fragment):
    data_root, meta = layout
    path = osp.join(meta, split, name)
    replace_line(path, line, content)
    with pytest.raises(exc, match=re.escape(f'{path}:{line}:') + fragment):
        from_config(split, data_root, meta)


def test_missing_image_names_the_list(layout):
    data_root, meta = layout
    os.remove(osp.join(data_root, PROXY[1]))
    path = osp.join(meta, 'train', 'image_ids_proxy.txt')
    with pytest.raises(FileNotFoundError,
                       match=re.escape(f'{path}:2: image file not found')):
        from_config('train', data_root, meta, proxy=True)


# --------------------------------------------------------------------- #
# the synthetic writer
# --------------------------------------------------------------------- #
WRITER_ARGS = dict(num_classes=2, train_per_class=3, val_per_class=2,
                   test_per_class=3, proxy_per_class=1, seed=5)


@pytest.fixture(scope='module')
def synthetic(tmp_path_factory):
    return write_ilsvrc_layout(
        str(tmp_path_factory.mktemp('ilsvrc') / 'out'), **WRITER_ARGS)


def test_synthetic_layout_reads_back(synthetic):
    roots = synthetic['data_root'], synthetic['metadata_root']
    for split in ('train', 'val', 'test'):
        dataset = from_config(split, *roots,
                              classes=synthetic['class_names_file'])
        written = synthetic['items'][split]
        assert dataset.metainfo['classes'] == synthetic['classes']
        assert len(dataset) == len(written) == 2 * WRITER_ARGS[
            f'{split}_per_class']
        for idx, item in enumerate(written):
            info = dataset.get_data_info(idx)
            assert info['img_id'] == item['img_id']
            assert info['gt_label'] == item['label']
            image = cv2.imread(info['img_path'])
            assert image.shape == (item['height'], item['width'], 3)
            expected = item['boxes'] if split != 'train' else []
            np.testing.assert_array_equal(info['gt_bboxes'],
                                          np.reshape(expected, (-1, 4)))
    # Image i of a class has 1 + i % 3 objects: 1, 2 and 3 boxes in test.
    counts = [len(item['boxes']) for item in synthetic['items']['test']]
    assert counts == [1, 2, 3, 1, 2, 3]
    proxy = from_config('train', *roots, proxy=True)
    assert synthetic['proxy_ids'] == [
        'train/n00000000/n00000000_1.JPEG', 'train/n00000001/n00000001_1.JPEG'
    ]
    assert [proxy.get_data_info(i)['img_id'] for i in range(2)] == \
        synthetic['proxy_ids']


def test_synthetic_boxes_are_disjoint_objects(synthetic):
    """Objects are side-by-side strips: their boxes do not overlap and lie
    inside the image."""
    for item in synthetic['items']['test']:
        boxes = sorted(item['boxes'])
        for x0, y0, x1, y1 in boxes:
            assert 0 <= x0 < x1 <= item['width']
            assert 0 <= y0 < y1 <= item['height']
        for left, right in zip(boxes, boxes[1:]):
            assert left[2] <= right[0]


def test_synthetic_layout_is_deterministic(synthetic, tmp_path):
    again = write_ilsvrc_layout(str(tmp_path / 'again'), **WRITER_ARGS)
    first_root = osp.dirname(osp.dirname(synthetic['metadata_root']))
    second_root = osp.dirname(osp.dirname(again['metadata_root']))
    files = sorted(
        osp.relpath(osp.join(d, f), first_root)
        for d, _, names in os.walk(first_root) for f in names)
    assert len(files) == 2 * (3 + 2 + 3) + 1 + 4 * 3
    match, mismatch, errors = filecmp.cmpfiles(first_root, second_root,
                                               files, shallow=False)
    assert (mismatch, errors) == ([], [])
    other = write_ilsvrc_layout(str(tmp_path / 'other'),
                                **dict(WRITER_ARGS, seed=6))
    assert [r['boxes'] for r in other['items']['test']] != \
        [r['boxes'] for r in synthetic['items']['test']]
