"""OpenImages30k in the wsolevaluation layout, read through its _base_
config: instance and ignore masks, LoadWSOLMask's gt_mask (0/1/255) and
derived boxes, mask_root, bad inputs and the synthetic writer."""
import filecmp
import os
import os.path as osp
import re
import shutil

import cv2
import numpy as np
import pytest

import wsol_mm.datasets.transforms.load_wsol_mask as load_wsol_mask_module
from wsol_mm.datasets.openimages import OpenImages30k
from wsol_mm.datasets.synthetic_wsol_layouts import write_openimages_layout
from wsol_mm.datasets.transforms.load_wsol_mask import LoadWSOLMask

from _layout import (dataset_from_config, replace_line, write_lines,
                     write_wsol_lists)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets',
                  'openimages30k.py')
NO_RESIZE = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='LoadWSOLMask'),
    dict(type='PackWSOLInputs'),
]

# path: (label, (width, height))
IMAGES = {
    'train/c0/t.jpg': (0, (12, 10)),
    'train/c1/u.jpg': (1, (9, 7)),
    'val/c0/v.jpg': (0, (8, 8)),
    'test/c0/a.jpg': (0, (8, 6)),
    'test/c1/b.jpg': (1, (8, 6)),
    'test/c1/c.jpg': (1, (10, 4)),
}
IDS = dict(train=['train/c0/t.jpg', 'train/c1/u.jpg'],
           val=['val/c0/v.jpg'],
           test=['test/c1/b.jpg', 'test/c0/a.jpg', 'test/c1/c.jpg'])


def region(shape, rows, cols, value=255):
    """A uint8 mask of ``shape`` with ``value`` on ``[rows, cols]``."""
    mask = np.zeros(shape, dtype=np.uint8)
    mask[rows, cols] = value
    return mask


# mask path: content (uint8 grayscale). b's mask has half the image's size.
MASKS = {
    'val/c0/v_m0.png': region((8, 8), slice(2, 6), slice(2, 6)),
    'test/c0/a_m0.png': region((6, 8), slice(1, 3), slice(1, 4)),
    'test/c0/a_m1.png': region((6, 8), slice(3, 5), slice(5, 7), 1),
    'test/c0/a_ignore.png': region((6, 8), slice(0, 6), slice(0, 4)),
    'test/c1/b_m0.png': region((3, 4), slice(1, 2), slice(2, 3)),
    'test/c1/c_m0.png': region((4, 10), slice(0, 4), slice(0, 2)),
    'test/c1/c_m1.png': region((4, 10), slice(1, 3), slice(7, 10)),
    'test/c1/c_ignore.png': region((4, 10), slice(0, 4), slice(0, 2)),
}
# Interleaved images; only an image's first line names its ignore mask.
TEST_LOCALIZATION = [
    'test/c0/a.jpg,test/c0/a_m0.png,test/c0/a_ignore.png',
    'test/c1/b.jpg,test/c1/b_m0.png,',
    'test/c0/a.jpg,test/c0/a_m1.png,',
    'test/c1/c.jpg,test/c1/c_m0.png,test/c1/c_ignore.png',
    'test/c1/c.jpg,test/c1/c_m1.png,',
]


def expected_masks():
    """The gt_mask of each test image, by hand."""
    a = np.zeros((6, 8), np.uint8)
    a[0:6, 0:4] = 255  # ignore ...
    a[1:3, 1:4] = 1  # ... minus the foreground
    a[3:5, 5:7] = 1  # grey value 1 > 0.5: foreground, as in the protocol
    b = np.zeros((6, 8), np.uint8)
    b[2:4, 4:6] = 1  # (1, 2) of the 4 x 3 mask, nearest-resized; no ignore
    c = np.zeros((4, 10), np.uint8)
    c[0:4, 0:2] = 1  # the ignore mask lies inside the foreground: no 255
    c[1:3, 7:10] = 1
    return {'test/c0/a.jpg': a, 'test/c1/b.jpg': b, 'test/c1/c.jpg': c}


EXPECTED_BOXES = {
    'test/c0/a.jpg': [[1, 1, 4, 3], [5, 3, 7, 5]],
    'test/c1/b.jpg': [[4, 2, 6, 4]],
    'test/c1/c.jpg': [[0, 0, 2, 4], [7, 1, 10, 3]],
}


@pytest.fixture
def layout(tmp_path):
    """(data_root, metadata_root) of a tiny OpenImages30k, official layout:
    masks next to the images, no image_sizes.txt."""
    data_root = tmp_path / 'OpenImages'
    meta = tmp_path / 'metadata' / 'OpenImages'
    write_wsol_lists(str(data_root), str(meta), IMAGES, IDS)
    for path, mask in MASKS.items():
        cv2.imwrite(str(data_root / path), mask)
    write_lines(str(meta / 'val' / 'localization.txt'),
                ['val/c0/v.jpg,val/c0/v_m0.png,'])
    write_lines(str(meta / 'test' / 'localization.txt'), TEST_LOCALIZATION)
    return str(data_root), str(meta)


def from_config(split, data_root, metadata_root, config=CONFIG, **overrides):
    """The split's dataset built from the _base_ config's dataloader."""
    return dataset_from_config(config, split, 'OpenImages30k', data_root=data_root,
                               metadata_root=metadata_root, **overrides)


def test_items(layout):
    data_root, meta = layout
    dataset = from_config('test', *layout)
    assert isinstance(dataset, OpenImages30k)
    assert dataset.mask_root == data_root
    assert dataset.metainfo['classes'] == ('0', '1')
    masks = {
        'test/c1/b.jpg': (['test/c1/b_m0.png'], None),
        'test/c0/a.jpg': (['test/c0/a_m0.png', 'test/c0/a_m1.png'],
                          'test/c0/a_ignore.png'),
        'test/c1/c.jpg': (['test/c1/c_m0.png', 'test/c1/c_m1.png'],
                          'test/c1/c_ignore.png'),
    }
    assert len(dataset) == 3
    for idx, img_id in enumerate(IDS['test']):
        info = dataset.get_data_info(idx)
        assert info['img_id'] == img_id
        assert info['img_path'] == osp.join(data_root, img_id)
        assert info['gt_label'] == IMAGES[img_id][0]
        paths, ignore = masks[img_id]
        assert info['gt_mask_paths'] == [osp.join(data_root, p)
                                         for p in paths]
        assert info['ignore_path'] == (None if ignore is None else
                                       osp.join(data_root, ignore))
        assert info['gt_bboxes'].shape == (0, 4)
        assert info['gt_bboxes'].dtype == np.float64


def test_gt_masks_and_boxes(layout):
    dataset = from_config('test', *layout, pipeline=NO_RESIZE)
    expected = expected_masks()
    for idx, img_id in enumerate(IDS['test']):
        sample = dataset[idx]['data_samples']
        mask = sample.gt_mask.numpy()
        assert mask.dtype == np.uint8
        np.testing.assert_array_equal(mask, expected[img_id], err_msg=img_id)
        np.testing.assert_array_equal(sample.gt_bboxes.numpy(),
                                      EXPECTED_BOXES[img_id])


def test_config_test_pipelines(layout, tmp_path):
    """The warp to 224 x 224 and the older protocol's resize 256 + centre
    crop 224 move the mask with nearest neighbour and the boxes with it."""
    expected = expected_masks()
    dataset = from_config('test', *layout, test_mode=True)
    assert [type(t).__name__ for t in dataset.pipeline.transforms] == [
        'LoadWSOLImageFromFile', 'LoadWSOLMask', 'Resize', 'PackWSOLInputs'
    ]
    sample = dataset[1]['data_samples']  # a.jpg, 8 x 6
    np.testing.assert_array_equal(
        sample.gt_mask.numpy(),
        cv2.resize(expected['test/c0/a.jpg'], (224, 224),
                   interpolation=cv2.INTER_NEAREST))
    assert set(np.unique(sample.gt_mask.numpy())) == {0, 1, 255}
    np.testing.assert_allclose(
        sample.gt_bboxes.numpy(),
        [[28, 224 / 6, 112, 112], [140, 112, 196, 224 * 5 / 6]])

    child = tmp_path / 'center_crop.py'
    child.write_text(
        f'_base_ = [{CONFIG!r}]\n'
        'test_dataloader = dict(\n'
        '    dataset=dict(pipeline={{_base_.test_pipeline_center_crop}}))\n')
    dataset = from_config('test', *layout, config=str(child), test_mode=True)
    assert [type(t).__name__ for t in dataset.pipeline.transforms] == [
        'LoadWSOLImageFromFile', 'LoadWSOLMask', 'Resize', 'CenterCrop',
        'PackWSOLInputs'
    ]
    sample = dataset[1]['data_samples']
    big = cv2.resize(expected['test/c0/a.jpg'], (256, 256),
                     interpolation=cv2.INTER_NEAREST)
    np.testing.assert_array_equal(sample.gt_mask.numpy(),
                                  big[16:240, 16:240])


def test_train_split_has_no_masks(layout):
    dataset = from_config('train', *layout)
    assert [dataset.get_data_info(i)['img_id'] for i in range(2)] == \
        IDS['train']
    for i in range(2):
        info = dataset.get_data_info(i)
        assert info['gt_mask_paths'] == [] and info['ignore_path'] is None
        assert info['gt_bboxes'].shape == (0, 4)
    assert dataset[0]['inputs'].shape == (3, 224, 224)  # train pipeline
    dataset = from_config('train', *layout, pipeline=NO_RESIZE)
    with pytest.raises(ValueError, match='no instance mask for the image ' +
                       re.escape(osp.join(layout[0], 'train/c0/t.jpg'))):
        dataset[0]


def test_val_split(layout):
    dataset = from_config('val', *layout, pipeline=NO_RESIZE)
    sample = dataset[0]['data_samples']
    np.testing.assert_array_equal(sample.gt_mask.numpy(),
                                  region((8, 8), slice(2, 6), slice(2, 6), 1))
    np.testing.assert_array_equal(sample.gt_bboxes.numpy(), [[2, 2, 6, 6]])


def test_mask_root(layout, tmp_path):
    data_root, meta = layout
    elsewhere = tmp_path / 'masks'
    for path in MASKS:
        os.makedirs(elsewhere / osp.dirname(path), exist_ok=True)
        shutil.move(osp.join(data_root, path), elsewhere / path)
    with pytest.raises(FileNotFoundError, match='mask file not found'):
        from_config('test', *layout)
    dataset = from_config('test', *layout, mask_root=str(elsewhere),
                          pipeline=NO_RESIZE)
    assert dataset.get_data_info(0)['gt_mask_paths'] == [
        osp.join(str(elsewhere), 'test/c1/b_m0.png')
    ]
    np.testing.assert_array_equal(dataset[1]['data_samples'].gt_mask,
                                  expected_masks()['test/c0/a.jpg'])
    # A relative mask_root not found from the current directory is taken
    # from data_root.
    shutil.move(str(elsewhere), osp.join(data_root, 'seg'))
    dataset = from_config('test', *layout, mask_root='seg')
    assert dataset.mask_root == osp.join(data_root, 'seg')
    assert dataset.get_data_info(1)['ignore_path'] == osp.join(
        data_root, 'seg', 'test/c0/a_ignore.png')


def test_load_wsol_mask_without_boxes(layout):
    dataset = from_config(
        'test', *layout,
        pipeline=[dict(type='LoadWSOLImageFromFile'),
                  dict(type='LoadWSOLMask', derive_boxes=False)])
    results = dataset[1]
    np.testing.assert_array_equal(results['gt_mask'],
                                  expected_masks()['test/c0/a.jpg'])
    assert results['gt_bboxes'].shape == (0, 4)


def test_load_wsol_mask_errors(tmp_path):
    img = np.zeros((4, 5, 3), np.uint8)
    empty = str(tmp_path / 'empty.png')
    cv2.imwrite(empty, np.zeros((4, 5), np.uint8))
    with pytest.raises(ValueError, match='no instance mask for the image '
                       'x.jpg'):
        LoadWSOLMask()(dict(img=img, img_path='x.jpg', gt_mask_paths=[]))
    with pytest.raises(KeyError, match='after the image loading'):
        LoadWSOLMask()(dict(img_path='x.jpg', gt_mask_paths=[empty]))


# --------------------------------------------------------------------- #
# instance masks without foreground (accepted, as wsolevaluation does)
# --------------------------------------------------------------------- #
def write_rgba_empty_in_grayscale(path, object_mask):
    """An RGBA PNG whose colour channels are zero and whose alpha is 255 on
    ``object_mask``: all background in grayscale, as wsolevaluation's own
    test mask ``val/0by6g/490365f63135f3e0_m0by6g_4f9ded4f.png`` (RGB 0,
    alpha 255) reads."""
    bgra = np.zeros(object_mask.shape + (4, ), np.uint8)
    bgra[..., 3] = np.where(object_mask, 255, 0)
    assert cv2.imwrite(path, bgra)


def test_rgba_mask_reads_as_all_background(tmp_path):
    path = str(tmp_path / 'rgba.png')
    write_rgba_empty_in_grayscale(
        path, region((6, 8), slice(1, 4), slice(2, 6)) > 0)
    raw = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    assert raw.shape == (6, 8, 4) and (raw[..., 3] == 255).sum() == 12
    # cv2's grayscale read drops the alpha channel: all zeros.
    assert not cv2.imread(path, cv2.IMREAD_GRAYSCALE).any()


@pytest.fixture
def empty_masks(layout):
    """The layout with b's only instance mask and c's second one replaced by
    RGBA masks that are empty in grayscale."""
    data_root, _ = layout
    for name in ('test/c1/b_m0.png', 'test/c1/c_m1.png'):
        path = osp.join(data_root, name)
        write_rgba_empty_in_grayscale(
            path, cv2.imread(path, cv2.IMREAD_GRAYSCALE) > 0)
    return layout


def test_empty_instance_masks_are_background_without_box(empty_masks,
                                                         warnings_of):
    messages = warnings_of(load_wsol_mask_module)
    dataset = from_config('test', *empty_masks, pipeline=NO_RESIZE)
    b, a, c = (dataset[i]['data_samples'] for i in range(3))
    # b: its only instance is empty -> all background, no box.
    np.testing.assert_array_equal(b.gt_mask.numpy(), np.zeros((6, 8)))
    assert b.gt_bboxes.shape == (0, 4)
    # c: the first instance alone; the ignore mask lies inside it.
    expected_c = np.zeros((4, 10), np.uint8)
    expected_c[0:4, 0:2] = 1
    np.testing.assert_array_equal(c.gt_mask.numpy(), expected_c)
    np.testing.assert_array_equal(c.gt_bboxes.numpy(), [[0, 0, 2, 4]])
    # a is untouched.
    np.testing.assert_array_equal(a.gt_mask.numpy(),
                                  expected_masks()['test/c0/a.jpg'])
    np.testing.assert_array_equal(a.gt_bboxes.numpy(),
                                  EXPECTED_BOXES['test/c0/a.jpg'])
    # One warning, naming the first empty mask; the others are counted.
    assert len(messages) == 1
    assert osp.join(empty_masks[0], 'test/c1/b_m0.png') in messages[0]
    load_mask = dataset.pipeline.transforms[1]
    assert isinstance(load_mask, LoadWSOLMask)
    assert load_mask.num_empty_masks == 2


def test_no_box_travels_through_the_test_pipelines(empty_masks, tmp_path):
    """(0, 4) boxes survive the warp to 224 x 224 and the older protocol's
    resize + centre crop; the all-background mask is resized with them."""
    child = tmp_path / 'center_crop.py'
    child.write_text(
        f'_base_ = [{CONFIG!r}]\n'
        'test_dataloader = dict(\n'
        '    dataset=dict(pipeline={{_base_.test_pipeline_center_crop}}))\n')
    for config in (CONFIG, str(child)):
        dataset = from_config('test', *empty_masks, config=config,
                              test_mode=True)
        sample = dataset[0]['data_samples']  # b.jpg
        assert sample.gt_bboxes.shape == (0, 4)
        assert sample.gt_mask.shape == (224, 224)
        assert not sample.gt_mask.any()
        assert dataset[2]['data_samples'].gt_bboxes.shape == (1, 4)


def test_corrupt_mask_names_the_file(layout):
    data_root, _ = layout
    path = osp.join(data_root, 'test/c0/a_m1.png')
    with open(path, 'wb') as f:
        f.write(b'not a png')
    dataset = from_config('test', *layout, pipeline=NO_RESIZE)
    dataset[0]  # b.jpg is fine
    with pytest.raises(OSError, match='cannot read the mask ' +
                       re.escape(path)):
        dataset[1]


# (split, file, line, new content, exception, message after '<file>:<line>:')
BAD_ANNOTATIONS = [
    pytest.param('test', 'localization.txt', 2,
                 'test/c1/b.jpg,test/c1/b_m0.png', ValueError,
                 '.*expected 3 fields, got 2', id='wrong_column_count'),
    pytest.param('test', 'localization.txt', 5,
                 'test/c9/z.jpg,test/c1/c_m1.png,', ValueError,
                 ".*unknown image id 'test/c9/z.jpg'", id='unknown_image'),
    pytest.param('test', 'localization.txt', 2, 'test/c1/b.jpg,,',
                 ValueError, '.*the mask path is empty', id='empty_mask_path'),
    pytest.param('test', 'localization.txt', 3,
                 'test/c0/a.jpg,test/c0/a_m1.png,test/c0/a_ignore.png',
                 ValueError, ".*ignore mask 'test/c0/a_ignore.png' on a "
                 "later line of image 'test/c0/a.jpg'.*line 1",
                 id='ignore_on_later_line'),
    pytest.param('test', 'localization.txt', 3,
                 'test/c0/a.jpg,test/c0/a_m9.png,', FileNotFoundError,
                 ' mask file not found: .*a_m9.png', id='missing_mask_image'),
    pytest.param('test', 'localization.txt', 4,
                 'test/c1/c.jpg,test/c1/c_m0.png,test/c1/gone.png',
                 FileNotFoundError, ' mask file not found: .*gone.png',
                 id='missing_ignore_image'),
    pytest.param('val', 'class_labels.txt', 1, 'val/c0/v.jpg,0,0',
                 ValueError, '.*expected 2 fields, got 3',
                 id='wrong_label_columns'),
    pytest.param('val', 'class_labels.txt', 1, 'val/c0/w.jpg,0', ValueError,
                 ".*unknown image id 'val/c0/w.jpg'", id='unknown_label_id'),
]


@pytest.mark.parametrize('split,name,line,content,exc,fragment',
                         BAD_ANNOTATIONS)
def test_bad_annotation(layout, split, name, line, content, exc, fragment):
    data_root, meta = layout
    path = osp.join(meta, split, name)
    replace_line(path, line, content)
    with pytest.raises(exc, match=re.escape(f'{path}:{line}:') + fragment):
        from_config(split, data_root, meta)


def test_image_without_mask(layout):
    data_root, meta = layout
    path = osp.join(meta, 'test', 'localization.txt')
    write_lines(path, [line for line in TEST_LOCALIZATION if 'b.jpg' not in
                       line])
    ids = osp.join(meta, 'test', 'image_ids.txt')
    with pytest.raises(ValueError, match=re.escape(
            f"{path}: image 'test/c1/b.jpg' ({ids}:1) has no mask")):
        from_config('test', data_root, meta)


def test_missing_localization(layout):
    data_root, meta = layout
    path = osp.join(meta, 'val', 'localization.txt')
    os.remove(path)
    with pytest.raises(FileNotFoundError, match=re.escape(path)):
        from_config('val', data_root, meta)


# --------------------------------------------------------------------- #
# the synthetic writer
# --------------------------------------------------------------------- #
WRITER_ARGS = dict(num_classes=2, train_per_class=2, val_per_class=2,
                   test_per_class=3, seed=4)


@pytest.fixture(scope='module')
def synthetic(tmp_path_factory):
    return write_openimages_layout(
        str(tmp_path_factory.mktemp('openimages') / 'out'), **WRITER_ARGS)


def read_binary(path):
    return cv2.imread(path, cv2.IMREAD_GRAYSCALE) == 255


@pytest.mark.parametrize('split', ['val', 'test'])
def test_synthetic_layout_reads_back(synthetic, split):
    root = synthetic['data_root']
    dataset = from_config(split, root, synthetic['metadata_root'],
                          classes=synthetic['class_names_file'],
                          pipeline=NO_RESIZE)
    assert dataset.metainfo['classes'] == synthetic['classes']
    written = synthetic['items'][split]
    assert len(dataset) == len(written) == 2 * WRITER_ARGS[
        f'{split}_per_class']
    for idx, item in enumerate(written):
        packed = dataset[idx]
        sample = packed['data_samples']
        assert sample.img_id == item['img_id']
        assert sample.gt_label.tolist() == [item['label']]
        assert packed['inputs'].shape == (3, item['height'], item['width'])
        instances = [read_binary(osp.join(root, p)) for p in item['masks']]
        foreground = np.any(instances, axis=0)
        expected = foreground.astype(np.uint8)
        if item['ignore'] is not None:
            ignored = read_binary(osp.join(root, item['ignore']))
            expected[ignored & ~foreground] = 255
            assert (expected == 255).any()  # the grown box leaves a ring
        np.testing.assert_array_equal(sample.gt_mask.numpy(), expected)
        np.testing.assert_array_equal(sample.gt_bboxes.numpy(),
                                      item['boxes'])


def test_synthetic_layout_variety(synthetic):
    """Two-instance images, ignore masks and blank ignore fields all occur,
    and the localization file follows the official rules."""
    items = synthetic['items']['test']
    assert [len(r['masks']) for r in items] == [1, 2, 1, 1, 2, 1]
    assert [r['ignore'] is not None for r in items] == [
        True, False, True, False, True, False]
    lines = open(osp.join(synthetic['metadata_root'], 'test',
                          'localization.txt')).read().splitlines()
    assert len(lines) == 8
    assert lines[1] == '{0},{1},'.format(items[1]['img_id'],
                                         items[1]['masks'][0])
    assert lines[2] == '{0},{1},'.format(items[1]['img_id'],
                                         items[1]['masks'][1])
    assert lines[0].endswith('_ignore.png')
    for item in synthetic['items']['train']:
        assert item['masks'] == [] and item['ignore'] is None
    assert sorted(os.listdir(osp.join(synthetic['metadata_root'],
                                      'train'))) == [
        'class_labels.txt', 'image_ids.txt'
    ]
    assert 'image_sizes.txt' not in os.listdir(
        osp.join(synthetic['metadata_root'], 'test'))


def test_synthetic_layout_is_deterministic(synthetic, tmp_path):
    again = write_openimages_layout(str(tmp_path / 'again'), **WRITER_ARGS)
    first_root = osp.dirname(osp.dirname(synthetic['metadata_root']))
    second_root = osp.dirname(osp.dirname(again['metadata_root']))
    files = sorted(
        osp.relpath(osp.join(d, f), first_root)
        for d, _, names in os.walk(first_root) for f in names)
    match, mismatch, errors = filecmp.cmpfiles(first_root, second_root,
                                               files, shallow=False)
    assert (mismatch, errors) == ([], [])
    assert len(match) == len(files) > 30
