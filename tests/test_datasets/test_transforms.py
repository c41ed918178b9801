"""Box-aware transforms: hand-computed boxes and image/box consistency."""
import os.path as osp
import re

import cv2
import numpy as np
import pytest
import torch
from mmcv.transforms import Compose
from mmengine.registry import DefaultScope

from wsol_mm.datasets import WSOLMetadataDataset
from wsol_mm.datasets.transforms import (CenterCrop, LoadWSOLImageFromFile,
                                         PackWSOLInputs, RandomCrop,
                                         RandomFlip, Resize)
from wsol_mm.registry import TRANSFORMS
from wsol_mm.structures.wsol_data_sample import WSOLDataSample

from _layout import protocol_test_pipeline


def results_of(height, width, boxes, **extra):
    img = np.arange(height * width * 3, dtype=np.int64).reshape(
        height, width, 3) % 251
    return dict(
        img=img.astype(np.uint8),
        img_shape=(height, width),
        ori_shape=(height, width),
        gt_bboxes=np.array(boxes, dtype=np.float64),
        gt_label=1,
        **extra)


def white_rectangle(height, width, x0, y0, x1, y1):
    """A black image with white pixels at columns x0..x1-1, rows y0..y1-1."""
    img = np.zeros((height, width, 3), np.uint8)
    img[y0:y1, x0:x1] = 255
    return dict(
        img=img,
        img_shape=(height, width),
        ori_shape=(height, width),
        gt_bboxes=np.array([[x0, y0, x1, y1]], dtype=np.float64))


def white_extent(img):
    """``[x0, y0, x1, y1]`` of the pixels brighter than mid-grey."""
    ys, xs = np.nonzero(img[..., 0] > 127)
    return [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]


def test_registered_names():
    for name, cls in [('Resize', Resize), ('RandomCrop', RandomCrop),
                      ('CenterCrop', CenterCrop), ('RandomFlip', RandomFlip),
                      ('PackWSOLInputs', PackWSOLInputs),
                      ('LoadWSOLImageFromFile', LoadWSOLImageFromFile)]:
        assert TRANSFORMS.get(name) is cls
    from mmcv.transforms import LoadImageFromFile
    assert TRANSFORMS.get('LoadImageFromFile') is LoadImageFromFile


def test_resize_warp():
    results = Resize(size=(224, 224))(results_of(30, 40, [[4, 3, 20, 15]]))
    assert results['img'].shape == (224, 224, 3)
    assert results['img_shape'] == (224, 224)
    assert results['ori_shape'] == (30, 40)
    # x * 224 / 40 and y * 224 / 30 by hand.
    np.testing.assert_allclose(results['gt_bboxes'],
                               [[22.4, 22.4, 112.0, 112.0]])
    assert results['gt_bboxes'].dtype == np.float64
    np.testing.assert_allclose(results['scale_factor'], (5.6, 224 / 30))


def test_resize_shorter_side():
    # Wide image 30 x 40: height -> 20, width -> round(40 * 20 / 30) = 27.
    results = Resize(shorter_side=20)(results_of(30, 40, [[4, 3, 20, 15]]))
    assert results['img'].shape[:2] == (20, 27)
    assert results['img_shape'] == (20, 27)
    np.testing.assert_allclose(results['gt_bboxes'], [[2.7, 2.0, 13.5, 10.0]])
    # Tall image 50 x 20: width -> 10, height -> 25.
    results = Resize(shorter_side=10)(results_of(50, 20, [[2, 10, 20, 50]]))
    assert results['img_shape'] == (25, 10)
    np.testing.assert_allclose(results['gt_bboxes'], [[1, 5, 10, 25]])


def test_resize_arguments_and_scale_factor():
    with pytest.raises(ValueError):
        Resize()
    with pytest.raises(ValueError):
        Resize(size=(10, 10), shorter_side=10)
    pipeline = Compose([Resize(size=(80, 60)), Resize(size=(20, 30))])
    results = pipeline(results_of(30, 40, [[0, 0, 40, 30]]))
    np.testing.assert_allclose(results['scale_factor'], (0.5, 1.0))
    np.testing.assert_allclose(results['gt_bboxes'], [[0, 0, 20, 30]])
    assert 'size=(224, 224)' in repr(Resize(size=224))


def test_resize_matches_protocol_truncation():
    # For these (x, W) pairs int(x * (224 / W)) or int(x / W * 224) differs
    # from the protocol's int(x * 224 / W); the transform must match it.
    cases = [(55, 55), (71, 71), (45, 80), (61, 112), (115, 224), (305, 560)]
    for x, width in cases:
        results = Resize(size=(224, 224))(
            results_of(8, width, [[0, 0, x, 8]]))
        assert int(results['gt_bboxes'][0, 2]) == int(x * 224 / width)
    assert int(55 * (224 / 55)) != int(55 * 224 / 55)  # the trap exists


def test_center_crop():
    # 8 x 10 image, 4 x 4 crop: offset ((10 - 4) // 2, (8 - 4) // 2) = (3, 2).
    results = results_of(8, 10, [[1, 1, 6, 7], [8, 0, 10, 1], [4, 3, 6, 5]])
    original = results['img'].copy()
    results = CenterCrop(size=4)(results)
    assert results['img_shape'] == (4, 4)
    assert results['crop_bbox'] == (3, 2, 7, 6)
    np.testing.assert_array_equal(results['img'], original[2:6, 3:7])
    np.testing.assert_array_equal(
        results['gt_bboxes'],
        [[0, 0, 3, 4], [4, 0, 4, 0], [1, 1, 3, 3]])


def test_center_crop_odd_margin():
    # 7 x 9 image, 4 x 4 crop: offset ((9 - 4) // 2, (7 - 4) // 2) = (2, 1).
    results = CenterCrop(size=(4, 4))(results_of(7, 9, [[2, 1, 6, 5]]))
    assert results['crop_bbox'] == (2, 1, 6, 5)
    np.testing.assert_array_equal(results['gt_bboxes'], [[0, 0, 4, 4]])


def test_random_crop_offsets():
    box = [[2, 1, 7, 5]]
    seen = set()
    for seed in range(60):
        np.random.seed(seed)
        results = results_of(6, 8, box)
        original = results['img'].copy()
        results = RandomCrop(size=(5, 4))(results)
        x0, y0, x1, y1 = results['crop_bbox']
        assert (x1 - x0, y1 - y0) == (5, 4)
        assert 0 <= x0 <= 3 and 0 <= y0 <= 2
        seen.add((x0, y0))
        np.testing.assert_array_equal(results['img'],
                                      original[y0:y1, x0:x1])
        expected = [
            min(max(2 - x0, 0), 5), min(max(1 - y0, 0), 4),
            min(max(7 - x0, 0), 5), min(max(5 - y0, 0), 4)
        ]
        np.testing.assert_array_equal(results['gt_bboxes'], [expected])
    assert len(seen) == 4 * 3  # every offset is reachable
    # Seeded runs repeat.
    np.random.seed(3)
    first = RandomCrop(size=(5, 4))(results_of(6, 8, box))['crop_bbox']
    np.random.seed(3)
    assert RandomCrop(size=(5, 4))(results_of(6, 8, box))['crop_bbox'] == first


def test_random_crop_hand_computed_offset():
    # Only one vertical offset (0) and two horizontal ones (0 or 1).
    np.random.seed(0)
    results = RandomCrop(size=(9, 6))(results_of(6, 10, [[0.5, 1, 10, 6]]))
    x0 = results['crop_bbox'][0]
    assert results['crop_bbox'] == (x0, 0, x0 + 9, 6)
    expected = {0: [[0.5, 1, 9, 6]], 1: [[0, 1, 9, 6]]}[x0]
    np.testing.assert_array_equal(results['gt_bboxes'], expected)


def test_crop_larger_than_image():
    results = results_of(6, 8, [[0, 0, 1, 1]], img_path='/some/where.jpg')
    with pytest.raises(ValueError, match='/some/where.jpg'):
        CenterCrop(size=(9, 4))(results)


def test_random_flip():
    results = results_of(4, 10, [[1, 2, 4, 3], [0, 0, 10, 4]])
    original = results['img'].copy()
    results = RandomFlip(prob=1)(results)
    np.testing.assert_array_equal(results['gt_bboxes'],
                                  [[6, 2, 9, 3], [0, 0, 10, 4]])
    np.testing.assert_array_equal(results['img'], original[:, ::-1])
    assert results['flip'] is True
    assert results['flip_direction'] == 'horizontal'
    unchanged = RandomFlip(prob=0)(results_of(4, 10, [[1, 2, 4, 3]]))
    assert unchanged['flip'] is False and unchanged['flip_direction'] is None
    np.testing.assert_array_equal(unchanged['gt_bboxes'], [[1, 2, 4, 3]])
    assert repr(RandomFlip(prob=0.25)) == 'RandomFlip(prob=0.25)'


def test_flip_twice_is_identity():
    results = results_of(5, 7, [[0.5, 1, 3.25, 5]])
    original = results['img'].copy()
    results = Compose([RandomFlip(prob=1), RandomFlip(prob=1)])(results)
    np.testing.assert_array_equal(results['img'], original)
    np.testing.assert_array_equal(results['gt_bboxes'], [[0.5, 1, 3.25, 5]])
    assert results['flip'] is False


def test_image_moves_with_boxes():
    # White pixels at columns 20..49 and rows 10..29 of a 60 x 80 image.
    flip = RandomFlip(prob=1)(white_rectangle(60, 80, 20, 10, 50, 30))
    assert white_extent(flip['img']) == flip['gt_bboxes'][0].tolist()
    crop = CenterCrop(size=(50, 40))(white_rectangle(60, 80, 20, 10, 50, 30))
    assert white_extent(crop['img']) == crop['gt_bboxes'][0].tolist()
    for resize in [Resize(size=(224, 224)), Resize(shorter_side=45)]:
        out = resize(white_rectangle(60, 80, 20, 10, 50, 30))
        # Bilinear interpolation blurs the edge by at most one pixel.
        np.testing.assert_allclose(
            white_extent(out['img']), out['gt_bboxes'][0], atol=1)
    pipeline = Compose([
        Resize(shorter_side=50),
        RandomCrop(size=(48, 48)),
        RandomFlip(prob=1)
    ])
    np.random.seed(1)
    out = pipeline(white_rectangle(60, 80, 20, 10, 50, 30))
    np.testing.assert_allclose(
        white_extent(out['img']), out['gt_bboxes'][0], atol=1)


def test_gt_mask_follows():
    results = results_of(4, 6, [[0, 0, 1, 1]])
    mask = np.zeros((4, 6), np.uint8)
    mask[1, 0] = 1
    results['gt_mask'] = mask
    results = RandomFlip(prob=1)(results)
    assert results['gt_mask'][1, 5] == 1
    results = Resize(size=(12, 8))(results)
    assert results['gt_mask'].shape == (8, 12)
    assert results['gt_mask'][2:4, 10:12].all()
    assert results['gt_mask'].sum() == 4
    # Offset ((12 - 10) // 2, (8 - 4) // 2) = (1, 2).
    results = CenterCrop(size=(10, 4))(results)
    assert results['gt_mask'].shape == (4, 10)
    # Columns 10 and 11 move to 9 and 10; only 9 stays inside.
    assert results['gt_mask'][0:2, 9].all()
    assert results['gt_mask'].sum() == 2


def test_pack_inputs():
    results = results_of(3, 4, [[0, 0, 1.5, 2]], img_id='a/b.jpg',
                         img_path='/x/a/b.jpg', sample_idx=7,
                         scale_factor=(1.0, 1.0), unused='skip me')
    results['gt_mask'] = np.ones((3, 4), np.uint8)
    img = results['img'].copy()
    packed = PackWSOLInputs()(results)
    inputs, sample = packed['inputs'], packed['data_samples']
    assert isinstance(sample, WSOLDataSample)
    assert inputs.dtype == torch.uint8 and inputs.shape == (3, 3, 4)
    for channel in range(3):
        np.testing.assert_array_equal(inputs[channel].numpy(),
                                      img[..., channel])
    assert sample.gt_label.tolist() == [1]
    assert sample.gt_bboxes.dtype == torch.float64
    assert sample.gt_bboxes.tolist() == [[0, 0, 1.5, 2]]
    assert sample.gt_mask.shape == (3, 4)
    assert sample.img_id == 'a/b.jpg' and sample.sample_idx == 7
    assert sample.ori_shape == (3, 4) and sample.img_shape == (3, 4)
    assert 'unused' not in sample.metainfo
    assert 'flip' not in sample.metainfo  # absent from the results
    assert 'meta_keys' in repr(PackWSOLInputs())


def test_load_wsol_image_names_empty_file(tmp_path):
    path = str(tmp_path / 'empty.jpg')
    open(path, 'wb').close()
    with pytest.raises(OSError, match=re.escape(path)):
        LoadWSOLImageFromFile()(dict(img_path=path))
    missing = str(tmp_path / 'missing.jpg')
    with pytest.raises(OSError, match=re.escape(missing)):
        LoadWSOLImageFromFile()(dict(img_path=missing))
    good = str(tmp_path / 'good.png')
    cv2.imwrite(good, np.full((3, 5, 3), 7, np.uint8))
    loaded = LoadWSOLImageFromFile()(dict(img_path=good))
    assert loaded['img'].shape == (3, 5, 3) and loaded['ori_shape'] == (3, 5)


def test_full_test_pipeline_matches_protocol(tmp_path):
    """Load -> warp to 224 x 224 -> pack; int() of the packed boxes equals
    the protocol's int(x * 224 / W) computed from the metadata."""
    rng = np.random.default_rng(0)
    data_root, meta = tmp_path / 'images', tmp_path / 'metadata' / 'test'
    data_root.mkdir()
    meta.mkdir(parents=True)
    ids, sizes, boxes, labels = [], {}, [], []
    for k in range(12):
        width, height = (int(v) for v in rng.integers(40, 300, size=2))
        name = f'img{k}.png'
        cv2.imwrite(str(data_root / name),
                    rng.integers(0, 256, (height, width, 3), dtype=np.uint8))
        ids.append(name)
        sizes[name] = (width, height)
        labels.append(f'{name},{k % 3}')
        for _ in range(1 + k % 2):
            x0, x1 = sorted(int(v) for v in rng.integers(0, width + 1, 2))
            y0, y1 = sorted(int(v) for v in rng.integers(0, height + 1, 2))
            if k == 0:  # a box on the far border, where rounding bites
                x0, y0, x1, y1 = 0, 0, width, height
            boxes.append((name, (x0, y0, x1, y1)))
    (meta / 'image_ids.txt').write_text('\n'.join(ids) + '\n')
    (meta / 'class_labels.txt').write_text('\n'.join(labels) + '\n')
    (meta / 'image_sizes.txt').write_text(''.join(
        f'{n},{w},{h}\n' for n, (w, h) in sizes.items()))
    (meta / 'localization.txt').write_text(''.join(
        f'{n},{",".join(map(str, b))}\n' for n, b in boxes))
    with DefaultScope.overwrite_default_scope('wsol_mm'):
        dataset = WSOLMetadataDataset(
            str(data_root),
            str(tmp_path / 'metadata'),
            split='test',
            test_mode=True,
            pipeline=protocol_test_pipeline())
    for idx, name in enumerate(ids):
        packed = dataset[idx]
        sample = packed['data_samples']
        width, height = sizes[name]
        assert packed['inputs'].shape == (3, 224, 224)
        assert packed['inputs'].dtype == torch.uint8
        assert sample.img_id == name and sample.sample_idx == idx
        assert sample.img_path == osp.join(str(data_root), name)
        assert sample.ori_shape == (height, width)
        assert sample.img_shape == (224, 224)
        assert sample.gt_label.tolist() == [idx % 3]
        expected = [[
            int(x0 * 224 / width), int(y0 * 224 / height),
            int(x1 * 224 / width), int(y1 * 224 / height)
        ] for n, (x0, y0, x1, y1) in boxes if n == name]
        got = sample.gt_bboxes
        assert got.dtype == torch.float64
        assert [[int(v) for v in row] for row in got.tolist()] == expected
