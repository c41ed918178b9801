"""The synthetic dataset: determinism, readers, boxes and learnable content."""
import contextlib
import filecmp
import io
import os
import os.path as osp
import runpy

import cv2
import numpy as np
import pytest

from wsol_mm.datasets import CUB, WSOLMetadataDataset
from wsol_mm.datasets.synthetic import (_COLOUR_PAIRS,
                                        generate_synthetic_dataset,
                                        make_image, tight_box)

NUM_CLASSES, TRAIN, TEST, VAL = 4, 12, 6, 3
CUB_FILES = ('images.txt', 'image_class_labels.txt', 'train_test_split.txt',
             'bounding_boxes.txt', 'classes.txt')


@pytest.fixture(scope='module')
def synthetic(tmp_path_factory):
    out = tmp_path_factory.mktemp('synthetic') / 'data'
    summary = generate_synthetic_dataset(
        str(out),
        num_classes=NUM_CLASSES,
        train_per_class=TRAIN,
        test_per_class=TEST,
        seed=3,
        layouts=('cub', 'wsol'),
        val_per_class=VAL)
    return summary


def relative_files(root):
    return sorted(
        osp.relpath(osp.join(d, f), root) for d, _, files in os.walk(root)
        for f in files)


def test_summary(synthetic):
    assert synthetic['counts'] == dict(
        train=NUM_CLASSES * TRAIN, val=NUM_CLASSES * VAL,
        test=NUM_CLASSES * TEST)
    assert len(synthetic['classes']) == NUM_CLASSES
    assert len(set(synthetic['classes'])) == NUM_CLASSES
    for name in CUB_FILES:
        assert osp.join(synthetic['out_dir'], name) in synthetic['files']
    for path in synthetic['files']:
        assert osp.isfile(path)
    folders = sorted(os.listdir(synthetic['images_dir']))
    assert folders == [
        f'{k + 1:03d}.{n}' for k, n in enumerate(synthetic['classes'])
    ]


def test_determinism(synthetic, tmp_path):
    kwargs = dict(num_classes=NUM_CLASSES, train_per_class=TRAIN,
                  test_per_class=TEST, seed=3, layouts=('cub', 'wsol'),
                  val_per_class=VAL)
    again = generate_synthetic_dataset(str(tmp_path / 'again'), **kwargs)
    first_root, second_root = synthetic['out_dir'], again['out_dir']
    files = relative_files(first_root)
    assert files == relative_files(second_root)
    _, mismatch, errors = filecmp.cmpfiles(
        first_root, second_root, files, shallow=False)
    assert mismatch == [] and errors == []
    other = generate_synthetic_dataset(
        str(tmp_path / 'other'), **dict(kwargs, seed=4))
    with open(osp.join(first_root, 'bounding_boxes.txt')) as f1, open(
            osp.join(other['out_dir'], 'bounding_boxes.txt')) as f2:
        assert f1.read() != f2.read()


def test_cub_reader_counts_and_boxes(synthetic):
    train = CUB(synthetic['out_dir'], split='train')
    test = CUB(synthetic['out_dir'], split='test')
    assert train.metainfo['classes'] == synthetic['classes']
    for dataset, per_class in [(train, TRAIN), (test, TEST)]:
        labels = [dataset.get_data_info(i)['gt_label']
                  for i in range(len(dataset))]
        assert np.bincount(labels).tolist() == [per_class] * NUM_CLASSES
        for i in range(len(dataset)):
            info = dataset.get_data_info(i)
            img = cv2.imread(info['img_path'])
            height, width = img.shape[:2]
            assert 96 <= width <= 160 and 96 <= height <= 160
            (x0, y0, x1, y1), = info['gt_bboxes']
            assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
            # The ellipse spans 30-60 % of the shorter side on average.
            side = min(width, height)
            assert 0.2 * side < (x1 - x0 + y1 - y0) / 2 < 0.8 * side


def test_wsol_reader_matches_cub(synthetic):
    meta = synthetic['metadata_root']
    classes = osp.join(meta, 'class_names.txt')
    splits = {
        split: WSOLMetadataDataset(
            synthetic['images_dir'], meta, split=split, classes=classes)
        for split in ('train', 'val', 'test')
    }
    for split, dataset in splits.items():
        assert len(dataset) == synthetic['counts'][split]
        assert dataset.metainfo['classes'] == synthetic['classes']
    assert splits['train'].get_data_info(0)['gt_bboxes'].shape == (0, 4)
    cub_test = CUB(synthetic['out_dir'], split='test')
    for i in range(len(cub_test)):
        ours = splits['test'].get_data_info(i)
        theirs = cub_test.get_data_info(i)
        assert ours['img_path'] == theirs['img_path']
        assert ours['gt_label'] == theirs['gt_label']
        np.testing.assert_array_equal(ours['gt_bboxes'], theirs['gt_bboxes'])


def two_colours(pixels):
    """Mean colours of the brightest and darkest 40 % of ``pixels``."""
    order = np.argsort(pixels.sum(axis=1))
    part = int(0.4 * len(order))
    bright, dark = pixels[order[-part:]], pixels[order[:part]]
    return np.concatenate([bright.mean(axis=0), dark.mean(axis=0)])


def image_stats(info):
    """(gradient inside box, gradient outside, colours in, colours out)."""
    img = cv2.imread(info['img_path']).astype(np.float64)
    grad = (np.abs(np.diff(img, axis=0))[:, :-1] +
            np.abs(np.diff(img, axis=1))[:-1]).sum(axis=2)
    inside = np.zeros(grad.shape, bool)
    x0, y0, x1, y1 = info['gt_bboxes'][0].astype(int)
    # Shrink to the central half of the box: surely on the ellipse.
    cx, cy, hw, hh = (x0 + x1) // 2, (y0 + y1) // 2, (x1 - x0) // 4, (
        y1 - y0) // 4
    inside[cy - hh:cy + hh, cx - hw:cx + hw] = True
    outside = np.ones(grad.shape, bool)
    outside[y0:y1, x0:x1] = False
    colour_in = two_colours(img[:-1, :-1][inside])
    colour_out = two_colours(img[:-1, :-1][outside])
    return grad[inside].mean(), grad[outside].mean(), colour_in, colour_out


def test_object_differs_from_background(synthetic):
    train = CUB(synthetic['out_dir'], split='train')
    test = CUB(synthetic['out_dir'], split='test')
    features = {}
    for name, dataset in [('train', train), ('test', test)]:
        rows = []
        for i in range(len(dataset)):
            info = dataset.get_data_info(i)
            grad_in, grad_out, colour_in, colour_out = image_stats(info)
            # Stripes: strong local contrast; background: smooth.
            assert grad_in > 3 * grad_out
            rows.append((info['gt_label'], colour_in, colour_out))
        features[name] = rows

    def nearest_mean_accuracy(column):
        labels = np.array([r[0] for r in features['train']])
        feats = np.array([r[column] for r in features['train']])
        means = np.stack(
            [feats[labels == k].mean(axis=0) for k in range(NUM_CLASSES)])
        test_labels = np.array([r[0] for r in features['test']])
        test_feats = np.array([r[column] for r in features['test']])
        guess = np.argmin(
            ((test_feats[:, None] - means[None])**2).sum(axis=2), axis=1)
        return (guess == test_labels).mean()

    # The class shows inside the object and not in the background.
    assert nearest_mean_accuracy(1) == 1.0
    assert nearest_mean_accuracy(2) < 0.7


def test_positions_not_centred(synthetic):
    train = CUB(synthetic['out_dir'], split='train')
    centres = []
    for i in range(len(train)):
        info = train.get_data_info(i)
        height, width = cv2.imread(info['img_path']).shape[:2]
        x0, y0, x1, y1 = info['gt_bboxes'][0]
        centres.append(((x0 + x1) / 2 / width, (y0 + y1) / 2 / height))
    centres = np.array(centres)
    for axis in range(2):
        assert (centres[:, axis] < 0.4).mean() > 0.15
        assert (centres[:, axis] > 0.6).mean() > 0.15


def test_tight_box():
    mask = np.zeros((6, 9), bool)
    mask[2:5, 3:7] = True
    mask[1, 5] = True
    assert tight_box(mask) == [3, 1, 7, 5]
    mask = np.zeros((4, 4), bool)
    mask[3, 3] = True
    assert tight_box(mask) == [3, 3, 4, 4]


def test_make_image_object():
    rng = np.random.default_rng(0)
    for label in range(4):
        img, mask = make_image(rng, label, 4, 130, 100)
        assert img.shape == (100, 130, 3) and img.dtype == np.uint8
        assert mask.shape == (100, 130)
        x0, y0, x1, y1 = tight_box(mask)
        # Fully inside, not touching the border after 30 %+ of the side.
        assert 0 <= x0 and x1 <= 130 and 0 <= y0 and y1 <= 100
        assert 0.2 * 100 < (x1 - x0 + y1 - y0) / 2 < 0.8 * 100
        # Every object pixel shows one of the class's two colours (+noise).
        _, colour_a, colour_b = _COLOUR_PAIRS[label]
        rgb = img[mask][:, ::-1].astype(int)
        dist = np.minimum(
            np.abs(rgb - colour_a).max(axis=1),
            np.abs(rgb - colour_b).max(axis=1))
        assert dist.max() <= 25
        assert (np.abs(rgb - colour_a).max(axis=1) <= 25).mean() > 0.3
        assert (np.abs(rgb - colour_b).max(axis=1) <= 25).mean() > 0.3


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match='layouts'):
        generate_synthetic_dataset(str(tmp_path), layouts=('coco', ))
    with pytest.raises(ValueError, match='min_size'):
        generate_synthetic_dataset(str(tmp_path), min_size=200, max_size=100)


def test_cli(tmp_path):
    script = osp.join(
        osp.dirname(__file__), '..', '..', 'tools', 'misc',
        'generate_synthetic_data.py')
    module = runpy.run_path(script, run_name='generate_synthetic_data')
    out = str(tmp_path / 'cli')
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        module['main']([
            out, '--num-classes', '2', '--train-per-class', '3',
            '--test-per-class', '1', '--seed', '5', '--layouts', 'cub', 'wsol'
        ])
    printed = stdout.getvalue()
    # val: the default 5 per class, capped at the 3 train images per class.
    assert "counts={'train': 6, 'val': 6, 'test': 2}" in printed
    assert f"metadata_root={osp.join(out, 'metadata')}" in printed
    assert osp.isfile(osp.join(out, 'metadata', 'test', 'localization.txt'))
    assert len(CUB(out, split='train')) == 6


def test_cli_writes_each_release_layout_in_its_own_folder(tmp_path):
    script = osp.join(
        osp.dirname(__file__), '..', '..', 'tools', 'misc',
        'generate_synthetic_data.py')
    module = runpy.run_path(script, run_name='generate_synthetic_data')
    with contextlib.redirect_stdout(io.StringIO()):
        module['main']([str(tmp_path / 'inat'), '--layouts', 'inatloc500',
                        '--train-per-class', '1', '--test-per-class', '1',
                        '--val-per-class', '1'])
    assert osp.isfile(tmp_path / 'inat' / 'metadata' / 'test' /
                      'image_sizes.txt')
    with pytest.raises(SystemExit), \
            contextlib.redirect_stderr(io.StringIO()):
        module['main']([str(tmp_path / 'both'), '--layouts', 'cub',
                        'inatloc500'])
