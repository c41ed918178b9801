"""FGVCAircraft: a hand-written release read through its _base_ config, the
hierarchy, the copyright banner, bad inputs, and the synthetic writer."""
import filecmp
import os
import os.path as osp
import re

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from wsol_mm.datasets.fgvc_aircraft import CropBottomBanner, FGVCAircraft
from wsol_mm.datasets.synthetic import make_image, tight_box
from wsol_mm.datasets.synthetic_aircraft import generate_synthetic_aircraft
from wsol_mm.registry import DATASETS

from _layout import replace_line, write_lines

CONFIG = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'configs',
    '_base_', 'datasets', 'fgvc_aircraft.py')

VARIANTS = ['707-320', '727-200', 'A300B4', 'Cessna 172']
FAMILIES = ['Boeing 707', 'Boeing 727', 'A300', 'Cessna 172']
MANUFACTURERS = ['Boeing', 'Airbus', 'Cessna']
# id: (variant, family, manufacturer, split, (width, height), 1-based box)
IMAGES = {
    '0034309': ('707-320', 'Boeing 707', 'Boeing', 'train', (60, 50),
                (1, 1, 60, 50)),
    '0056978': ('727-200', 'Boeing 727', 'Boeing', 'train', (64, 48),
                (5, 6, 40, 20)),
    '1025794': ('A300B4', 'A300', 'Airbus', 'val', (50, 50),
                (10, 10, 30, 25)),
    '0043750': ('707-320', 'Boeing 707', 'Boeing', 'val', (30, 30),
                (1, 1, 30, 30)),
    '2074164': ('Cessna 172', 'Cessna 172', 'Cessna', 'test', (70, 40),
                (2, 3, 69, 18)),
    '0000001': ('707-320', 'Boeing 707', 'Boeing', 'test', (40, 60),
                (7, 8, 9, 10)),
}
BANNER_VALUE = 250  # the banner rows of the written images; the rest is 0


def split_ids(split):
    splits = ('train', 'val') if split == 'trainval' else (split, )
    return [i for i, v in IMAGES.items() if v[3] in splits]


def write_aircraft(data):
    """Write the release's data folder for IMAGES; return its path."""
    data = str(data)
    os.makedirs(osp.join(data, 'images'))
    for img_id, (*_, (w, h), _) in IMAGES.items():
        img = np.zeros((h, w, 3), np.uint8)
        img[h - 20:] = BANNER_VALUE
        cv2.imwrite(osp.join(data, 'images', f'{img_id}.jpg'), img)
    write_lines(osp.join(data, 'variants.txt'), VARIANTS)
    write_lines(osp.join(data, 'families.txt'), FAMILIES)
    write_lines(osp.join(data, 'manufacturers.txt'), MANUFACTURERS)
    # The box file has its own order.
    write_lines(osp.join(data, 'images_box.txt'), [
        f'{i} ' + ' '.join(map(str, IMAGES[i][5])) for i in sorted(IMAGES)
    ])
    for split in ('train', 'val', 'trainval', 'test'):
        ids = split_ids(split)
        write_lines(osp.join(data, f'images_{split}.txt'), ids)
        for column, level in enumerate(('variant', 'family',
                                        'manufacturer')):
            write_lines(osp.join(data, f'images_{level}_{split}.txt'),
                        [f'{i} {IMAGES[i][column]}' for i in ids])
    return data


@pytest.fixture
def root(tmp_path):
    return write_aircraft(tmp_path / 'fgvc-aircraft-2013b' / 'data')


def build(root, loader='train_dataloader', **overrides):
    """The dataset of ``loader`` in the _base_ config, at ``root``."""
    cfg = Config.fromfile(CONFIG)
    dataset = cfg[loader].dataset
    dataset.data_root = root
    dataset.update(overrides)
    init_default_scope('wsol_mm')
    return DATASETS.build(dataset)


def continuous(img_id):
    """The hand-converted box: 1-based inclusive -> [xmin - 1, ymin - 1,
    xmax, ymax]."""
    return {
        '0034309': [0, 0, 60, 50],
        '0056978': [4, 5, 40, 20],
        '1025794': [9, 9, 30, 25],
        '0043750': [0, 0, 30, 30],
        '2074164': [1, 2, 69, 18],
        '0000001': [6, 7, 9, 10],
    }[img_id]


LEVEL_LABELS = {
    '0034309': dict(variant=0, family=0, manufacturer=0),
    '0056978': dict(variant=1, family=1, manufacturer=0),
    '1025794': dict(variant=2, family=2, manufacturer=1),
    '0043750': dict(variant=0, family=0, manufacturer=0),
    '2074164': dict(variant=3, family=3, manufacturer=2),
    '0000001': dict(variant=0, family=0, manufacturer=0),
}


def test_config():
    cfg = Config.fromfile(CONFIG)
    train, test = cfg.train_dataloader.dataset, cfg.test_dataloader.dataset
    assert (train.type, train.split, train.level) == ('FGVCAircraft',
                                                     'trainval', 'variant')
    assert (test.split, test.crop_banner) == ('test', False)

    def steps(pipeline):
        return [(t['type'], t.get('size')) for t in pipeline]

    assert steps(train.pipeline) == [
        ('LoadWSOLImageFromFile', None), ('CropBottomBanner', None),
        ('Resize', (256, 256)), ('RandomCrop', 224), ('RandomFlip', None),
        ('PackWSOLInputs', None)
    ]
    assert steps(test.pipeline) == [
        ('LoadWSOLImageFromFile', None), ('CropBottomBanner', None),
        ('Resize', (224, 224)), ('PackWSOLInputs', None)
    ]
    assert steps(cfg.test_pipeline_center_crop) == [
        ('LoadWSOLImageFromFile', None), ('CropBottomBanner', None),
        ('Resize', (256, 256)), ('CenterCrop', 224), ('PackWSOLInputs', None)
    ]


def test_trainval_fields_and_hierarchy(root):
    dataset = build(root, pipeline=[])
    assert isinstance(dataset, FGVCAircraft)
    meta = dataset.metainfo
    assert meta['classes'] == tuple(VARIANTS)
    assert meta['levels'] == ('variant', 'family', 'manufacturer')
    assert meta['level_classes'] == dict(
        variant=tuple(VARIANTS), family=tuple(FAMILIES),
        manufacturer=tuple(MANUFACTURERS))
    ids = ['0034309', '0056978', '1025794', '0043750']
    assert len(dataset) == len(ids)
    for idx, img_id in enumerate(ids):
        info = dataset.get_data_info(idx)
        assert info['img_id'] == img_id
        assert info['img_path'] == osp.join(root, 'images', f'{img_id}.jpg')
        assert info['level_labels'] == LEVEL_LABELS[img_id]
        assert info['gt_label'] == LEVEL_LABELS[img_id]['variant']
        assert info['banner_height'] == 0
        assert info['gt_bboxes'].dtype == np.float64
        np.testing.assert_array_equal(info['gt_bboxes'],
                                      [continuous(img_id)])


@pytest.mark.parametrize('split,ids', [
    ('train', ['0034309', '0056978']),
    ('val', ['1025794', '0043750']),
    ('test', ['2074164', '0000001']),
])
def test_each_split(root, split, ids):
    dataset = FGVCAircraft(root, split=split)
    assert [dataset.get_data_info(i)['img_id']
            for i in range(len(dataset))] == ids


@pytest.mark.parametrize('level,names', [('family', FAMILIES),
                                         ('manufacturer', MANUFACTURERS)])
def test_coarser_level(root, level, names):
    dataset = build(root, 'test_dataloader', pipeline=[], level=level)
    assert dataset.metainfo['classes'] == tuple(names)
    assert dataset.metainfo['level'] == level
    for idx, img_id in enumerate(['2074164', '0000001']):
        info = dataset.get_data_info(idx)
        assert info['gt_label'] == LEVEL_LABELS[img_id][level]
        assert dataset.get_cat_ids(idx) == [LEVEL_LABELS[img_id][level]]
        assert info['level_labels'] == LEVEL_LABELS[img_id]


def test_crop_banner_boxes(root):
    dataset = build(root, pipeline=[], crop_banner=True)
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    assert [i['banner_height'] for i in infos] == [20] * 4
    # Boxes are clipped to the height - 20 rows above the banner.
    np.testing.assert_array_equal(infos[0]['gt_bboxes'], [[0, 0, 60, 30]])
    np.testing.assert_array_equal(infos[1]['gt_bboxes'], [[4, 5, 40, 20]])
    np.testing.assert_array_equal(infos[3]['gt_bboxes'], [[0, 0, 30, 10]])


def test_crop_banner_pipeline(root):
    pipeline = [
        dict(type='LoadWSOLImageFromFile'),
        dict(type='CropBottomBanner'),
        dict(type='PackWSOLInputs')
    ]
    cropped = build(root, 'test_dataloader', pipeline=pipeline,
                    crop_banner=True)[0]
    # 2074164 is 70 x 40: 20 rows stay, none of them the banner's.
    assert tuple(cropped['inputs'].shape) == (3, 20, 70)
    assert int(cropped['inputs'].max()) < 100
    assert cropped['data_samples'].ori_shape == (20, 70)
    np.testing.assert_array_equal(cropped['data_samples'].gt_bboxes.numpy(),
                                  [[1, 2, 69, 18]])
    whole = build(root, 'test_dataloader', pipeline=pipeline)[0]
    assert tuple(whole['inputs'].shape) == (3, 40, 70)
    assert int(whole['inputs'][:, -1].min()) > 200


def test_crop_banner_needs_the_transform(root):
    with pytest.raises(ValueError, match='CropBottomBanner'):
        FGVCAircraft(
            root, crop_banner=True,
            pipeline=[dict(type='LoadWSOLImageFromFile')])


def test_crop_bottom_banner_transform():
    img = np.arange(5 * 3 * 3, dtype=np.uint8).reshape(5, 3, 3)
    results = CropBottomBanner()(dict(img=img, banner_height=2,
                                      gt_bboxes=np.array([[0., 1, 3, 5]])))
    np.testing.assert_array_equal(results['img'], img[:3])
    assert results['img_shape'] == results['ori_shape'] == (3, 3)
    np.testing.assert_array_equal(results['gt_bboxes'], [[0, 1, 3, 3]])
    untouched = CropBottomBanner()(dict(img=img))
    assert untouched['img'] is img and 'img_shape' not in untouched
    with pytest.raises(ValueError, match=re.escape(
            'cannot crop a 5-row banner off the 5-row image x.jpg')):
        CropBottomBanner()(dict(img=img, banner_height=5, img_path='x.jpg'))


def test_test_pipelines(root):
    cfg = Config.fromfile(CONFIG)
    # 2074164: 70 x 40 with box [1, 2, 69, 18].
    warped = build(root, 'test_dataloader')[0]
    np.testing.assert_allclose(
        warped['data_samples'].gt_bboxes.numpy(),
        [[1 * 224 / 70, 2 * 224 / 40, 69 * 224 / 70, 18 * 224 / 40]])
    cropped = build(root, 'test_dataloader',
                    pipeline=cfg.test_pipeline_center_crop)[0]
    assert cropped['inputs'].shape == (3, 224, 224)
    # Resized to 256 x 256, then the window [16, 240) on both axes.
    y1 = 18 * 256 / 40 - 16
    np.testing.assert_allclose(cropped['data_samples'].gt_bboxes.numpy(),
                               [[0, 0, 224, y1]])


def test_bad_split_and_level(root):
    with pytest.raises(ValueError, match='split must be one of'):
        FGVCAircraft(root, split='all')
    with pytest.raises(ValueError, match='level must be one of'):
        FGVCAircraft(root, level='model')


# (split, file, line, replacement, message after ``<file>:<line>: ``)
BAD_ANNOTATIONS = [
    pytest.param('train', 'images_variant_train.txt', 2, '0056978',
                 'expected an image id and a variant name',
                 id='label_column_count'),
    pytest.param('train', 'images_box.txt', 2, '0034309 1 1 60',
                 'expected 5 fields, got 4', id='box_column_count'),
    pytest.param('test', 'images_family_test.txt', 1, '2074164 Cessna 182',
                 "unknown family 'Cessna 182'", id='unknown_class'),
    # 0056978 is 64 wide: xmax = 65 is outside.
    pytest.param('train', 'images_box.txt', 4, '0056978 5 6 65 20',
                 'box .* is outside its image of width 64',
                 id='box_outside_image'),
    # 1-based: xmin = 0 is left of the first column.
    pytest.param('val', 'images_box.txt', 5, '1025794 0 10 30 25',
                 'box .* is outside', id='box_left_of_image'),
    pytest.param('test', 'images_box.txt', 6, '2074164 40 3 2 18',
                 re.escape('box [40, 3, 2, 18] has xmax < xmin'),
                 id='reversed_box'),
    pytest.param('test', 'images_box.txt', 6, '2074164 2 3 69.5 18',
                 "box coordinate must be an integer, got '69.5'",
                 id='non_integer_box'),
    pytest.param('trainval', 'images_box.txt', 5, '0034309 1 1 2 2',
                 "image id '0034309' appears twice \\(first at line 2\\)",
                 id='duplicate_box_line'),
    pytest.param('test', 'images_variant_test.txt', 2,
                 '2074164 Cessna 172', "image id '2074164' appears twice",
                 id='duplicate_image'),
    pytest.param('test', 'images_manufacturer_test.txt', 2, '0099999 Boeing',
                 "image id '0099999' is not in .*images_variant_test.txt",
                 id='image_not_in_variant_file'),
    pytest.param('trainval', 'images_family_trainval.txt', 4,
                 '0043750 Boeing 727',
                 "variant '707-320' is in family 'Boeing 727' here but in "
                 "'Boeing 707' at line 1", id='variant_in_two_families'),
    pytest.param('trainval', 'images_manufacturer_trainval.txt', 4,
                 '0043750 Airbus',
                 "family 'Boeing 707' is in manufacturer 'Airbus' here but "
                 "in 'Boeing' at line 1", id='family_of_two_manufacturers'),
    pytest.param('test', 'families.txt', 3, 'Boeing 707',
                 "family 'Boeing 707' appears twice", id='duplicate_class'),
]


@pytest.mark.parametrize('split,name,line,text,fragment', BAD_ANNOTATIONS)
def test_bad_annotation(root, split, name, line, text, fragment):
    path = osp.join(root, name)
    replace_line(path, line, text)
    with pytest.raises(ValueError,
                       match=re.escape(f'{path}:{line}: ') + fragment):
        FGVCAircraft(root, split=split)


def test_box_in_the_banner(root):
    path = osp.join(root, 'images_box.txt')
    # 0000001 is 40 x 60: rows 41..60 (1-based) are the banner.
    replace_line(path, 1, '0000001 7 41 9 50')
    assert len(FGVCAircraft(root, split='test')) == 2
    with pytest.raises(ValueError, match=re.escape(f'{path}:1: ') +
                       'box .* lies in the 20-row banner'):
        FGVCAircraft(root, split='test', crop_banner=True)


def test_missing_image(root):
    img_path = osp.join(root, 'images', '0000001.jpg')
    os.remove(img_path)
    variant_file = osp.join(root, 'images_variant_test.txt')
    with pytest.raises(FileNotFoundError, match=re.escape(
            f'{variant_file}:2: image file not found: {img_path}')):
        build(root, 'test_dataloader')


def test_image_missing_from_a_level(root):
    path = osp.join(root, 'images_manufacturer_test.txt')
    write_lines(path, ['2074164 Cessna'])
    with pytest.raises(ValueError, match=re.escape(
            f"{path}: image id '0000001' ("
            f"{osp.join(root, 'images_variant_test.txt')}:2) has no line")):
        FGVCAircraft(root, split='test')


def test_image_without_a_box(root):
    path = osp.join(root, 'images_box.txt')
    with open(path) as f:
        lines = [line for line in f.read().splitlines()
                 if not line.startswith('2074164')]
    write_lines(path, lines)
    with pytest.raises(ValueError, match=re.escape(
            f"{path}: image id '2074164'") + '.*has no box'):
        FGVCAircraft(root, split='test')


def test_missing_class_file(root):
    path = osp.join(root, 'manufacturers.txt')
    os.remove(path)
    with pytest.raises(FileNotFoundError, match=re.escape(path)):
        FGVCAircraft(root)


SYNTHETIC = dict(num_manufacturers=2, families_per_manufacturer=2,
                 variants_per_family=2, train_per_variant=2,
                 val_per_variant=1, test_per_variant=1, min_size=40,
                 max_size=56, seed=7)


@pytest.fixture(scope='module')
def synthetic(tmp_path_factory):
    out = tmp_path_factory.mktemp('synthetic_air') / 'fgvc-aircraft-2013b'
    return generate_synthetic_aircraft(str(out), **SYNTHETIC)


def redraw(variant, index):
    """The documented draw of image ``index`` of ``variant``: its image
    above the banner, object mask, and family."""
    family = variant // 2
    rng = np.random.default_rng([SYNTHETIC['seed'], variant, index])
    width, height = (int(rng.integers(40, 57)) for _ in range(2))
    img, mask = make_image(rng, family, 4, width, height)
    return img, mask, family


def test_synthetic_hierarchy(synthetic):
    assert synthetic['counts'] == dict(train=16, val=8, test=8, trainval=24)
    classes = synthetic['level_classes']
    assert classes['manufacturer'] == ('Maker A', 'Maker B')
    assert classes['family'] == ('Maker A 100', 'Maker A 200',
                                 'Maker B 100', 'Maker B 200')
    assert classes['variant'][:3] == ('A100 Series 1', 'A100 Series 2',
                                      'A200 Series 1')
    dataset = build(synthetic['data_root'], 'test_dataloader', pipeline=[])
    assert dataset.metainfo['level_classes'] == classes
    labels = [dataset.get_data_info(i)['level_labels']
              for i in range(len(dataset))]
    # One test image per variant, in variant order.
    assert labels == [
        dict(variant=v, family=v // 2, manufacturer=v // 4)
        for v in range(8)
    ]


def test_synthetic_images_and_boxes(synthetic):
    dataset = build(synthetic['data_root'], pipeline=[], crop_banner=True)
    assert len(dataset) == 24
    for idx in range(len(dataset)):
        info = dataset.get_data_info(idx)
        variant = info['level_labels']['variant']
        # Per variant: 2 train images (index 0, 1), then 1 val (index 2).
        index = idx % 2 if idx < 16 else 2
        img, mask, _ = redraw(variant, index)
        height, width = mask.shape
        np.testing.assert_array_equal(info['gt_bboxes'], [tight_box(mask)])
        written = cv2.imread(info['img_path'])
        assert written.shape == (height + 20, width, 3)
        # Variants share the family's object; the second one is darker.
        gain = 1.0 if variant % 2 == 0 else 0.6
        # Mean colours inside the object, away from its border (JPEG keeps
        # averages, not the stripes): a wrong gain is ~50 off.
        inside = cv2.erode(mask.astype(np.uint8), np.ones((5, 5))) > 0
        expected = img[inside].mean(axis=0) * gain
        found = written[:height][inside].mean(axis=0)
        assert np.abs(found - expected).max() < 12, (idx, found, expected)
        assert written[height:].mean() < 100  # the dark banner


def test_synthetic_is_deterministic(synthetic, tmp_path):
    again = generate_synthetic_aircraft(str(tmp_path / 'again'), **SYNTHETIC)
    root = synthetic['out_dir']
    files = sorted(
        osp.relpath(osp.join(d, f), root) for d, _, names in os.walk(root)
        for f in names)
    assert len(files) == 32 + 3 + 1 + 4 * 4
    _, mismatch, errors = filecmp.cmpfiles(root, again['out_dir'], files,
                                           shallow=False)
    assert mismatch == [] and errors == []
    other = generate_synthetic_aircraft(
        str(tmp_path / 'other'), **dict(SYNTHETIC, seed=8))
    box_file = osp.join('data', 'images_box.txt')
    assert not filecmp.cmp(osp.join(root, box_file),
                           osp.join(other['out_dir'], box_file),
                           shallow=False)
