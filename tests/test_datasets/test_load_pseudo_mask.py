"""LoadPseudoMask and the pseudo mask moving with the image."""
import os.path as osp
import re
from unittest import mock

import cv2
import numpy as np
import pytest
import torch
from mmcv.transforms import Compose
from mmengine.registry import DefaultScope

from wsol_mm.datasets.transforms import (CenterCrop, LoadPseudoMask,
                                         LoadWSOLImageFromFile,
                                         PackWSOLInputs, RandomCrop,
                                         RandomFlip, RandomResizedCrop,
                                         Resize, pseudo_mask_path)
from wsol_mm.datasets.transforms.processing import MASK_KEYS
from wsol_mm.registry import TRANSFORMS
from wsol_mm.structures.wsol_data_sample import WSOLDataSample

IMG_ID = '001.Bird/img_1.jpg'

# 4 x 6 mask with background 0, foreground 1 and ignored 255.
MASK = np.array([[0, 0, 1, 1, 255, 0],
                 [1, 0, 0, 1, 1, 255],
                 [255, 1, 0, 0, 1, 1],
                 [0, 255, 1, 0, 0, 1]], dtype=np.uint8)


def image_of(mask):
    """A BGR image whose blue channel is ``mask`` (to follow the mask)."""
    height, width = mask.shape
    img = np.zeros((height, width, 3), np.uint8)
    img[..., 0] = mask
    img[..., 1] = (np.arange(height * width).reshape(height, width) * 7) % 256
    img[..., 2] = 42
    return img


def write_dataset(tmp_path, mask=MASK, image_shape=None):
    """Write the image ``<root>/IMG_ID`` (PNG data) and its pseudo mask."""
    root = tmp_path / 'images'
    mask_dir = tmp_path / 'masks'
    img = image_of(mask if image_shape is None else np.zeros(
        image_shape, np.uint8))
    img_path = root / IMG_ID
    img_path.parent.mkdir(parents=True)
    # PNG data under a .jpg name: lossless, so the pixels are exact.
    ok, data = cv2.imencode('.png', img)
    assert ok
    img_path.write_bytes(data.tobytes())
    (mask_dir / '001.Bird').mkdir(parents=True)
    assert cv2.imwrite(str(mask_dir / '001.Bird' / 'img_1.png'), mask)
    return str(img_path), str(mask_dir), img


def load(img_path, mask_dir):
    results = dict(img_path=img_path, img_id=IMG_ID, sample_idx=0)
    results = LoadWSOLImageFromFile()(results)
    return LoadPseudoMask(mask_dir)(results)


def test_pseudo_mask_path_keeps_subfolders():
    assert pseudo_mask_path('/masks', IMG_ID) == osp.join(
        '/masks', '001.Bird', 'img_1.png')
    assert pseudo_mask_path('m', 'a.b/c.d.JPEG') == osp.join(
        'm', 'a.b', 'c.d.png')
    assert pseudo_mask_path('m', 'noext') == osp.join('m', 'noext.png')


def test_registered_and_repr():
    assert TRANSFORMS.get('LoadPseudoMask') is LoadPseudoMask
    assert MASK_KEYS == ('gt_mask', 'pseudo_mask')
    with DefaultScope.overwrite_default_scope('wsol_mm'):
        transform = TRANSFORMS.build(dict(type='LoadPseudoMask',
                                          mask_dir='some/dir'))
    assert isinstance(transform, LoadPseudoMask)
    assert repr(transform) == "LoadPseudoMask(mask_dir='some/dir')"


def test_loads_the_mask_exactly(tmp_path):
    img_path, mask_dir, img = write_dataset(tmp_path)
    results = load(img_path, mask_dir)
    assert np.array_equal(results['img'], img)
    mask = results['pseudo_mask']
    assert mask.dtype == np.uint8
    assert mask.shape == (4, 6)
    assert np.array_equal(mask, MASK)
    assert set(np.unique(mask).tolist()) == {0, 1, 255}


def test_missing_mask_names_the_path(tmp_path):
    img_path, mask_dir, _ = write_dataset(tmp_path)
    other = str(tmp_path / 'elsewhere')
    expected = osp.join(other, '001.Bird', 'img_1.png')
    with pytest.raises(FileNotFoundError, match=re.escape(expected)):
        load(img_path, other)


def test_unreadable_mask_names_the_path(tmp_path):
    img_path, mask_dir, _ = write_dataset(tmp_path)
    path = osp.join(mask_dir, '001.Bird', 'img_1.png')
    with open(path, 'wb') as file:
        file.write(b'not a png')
    with pytest.raises(FileNotFoundError, match=re.escape(path)):
        load(img_path, mask_dir)


def test_mask_of_another_size_names_both_sizes(tmp_path):
    # The image is 5 x 3 (w x h), the mask 6 x 4.
    img_path, mask_dir, _ = write_dataset(tmp_path, image_shape=(3, 5))
    path = osp.join(mask_dir, '001.Bird', 'img_1.png')
    with pytest.raises(ValueError) as info:
        load(img_path, mask_dir)
    message = str(info.value)
    assert path in message
    assert '6x4' in message
    assert '5x3' in message


# --------------------------------------------------------------------- #
# the geometric transforms move both masks with the image
# --------------------------------------------------------------------- #
def with_both_masks(mask=MASK):
    return dict(img=image_of(mask), img_shape=mask.shape,
                ori_shape=mask.shape, gt_mask=mask.copy(),
                pseudo_mask=mask.copy())


def assert_follow_image(results, expected=None):
    assert results['pseudo_mask'].dtype == np.uint8
    assert np.array_equal(results['pseudo_mask'], results['gt_mask'])
    # The image was built with the mask as its blue channel.
    assert np.array_equal(results['pseudo_mask'], results['img'][..., 0])
    if expected is not None:
        assert np.array_equal(results['pseudo_mask'],
                              np.asarray(expected, np.uint8))


def test_flip_then_center_crop_hand_computed():
    results = RandomFlip(prob=1.0)(with_both_masks())
    # Mirrored rows of MASK.
    assert_follow_image(results, [[0, 255, 1, 1, 0, 0],
                                  [255, 1, 1, 0, 0, 1],
                                  [1, 1, 0, 0, 1, 255],
                                  [1, 0, 0, 1, 255, 0]])
    # (w, h) = (4, 2) out of 6 x 4: offsets (2 // 2, 2 // 2) = (1, 1).
    results = CenterCrop((4, 2))(results)
    assert_follow_image(results, [[1, 1, 0, 0],
                                  [1, 0, 0, 1]])
    assert results['crop_bbox'] == (1, 1, 5, 3)


def test_resize_is_nearest_neighbour():
    small = np.array([[0, 1, 255], [1, 0, 1]], dtype=np.uint8)
    # Bilinear image: only the masks are checked against the repeat.
    results = Resize(size=(6, 4))(with_both_masks(small))
    expected = np.repeat(np.repeat(small, 2, axis=0), 2, axis=1)
    assert np.array_equal(results['pseudo_mask'], expected)
    assert np.array_equal(results['gt_mask'], expected)
    # No interpolated value between 0, 1 and 255 appears.
    assert set(np.unique(results['pseudo_mask']).tolist()) == {0, 1, 255}
    # Shorter side: 2 x 3 -> 4 x 6, same repeat; the image follows too
    # with nearest interpolation.
    results = Resize(shorter_side=4, interpolation='nearest')(
        with_both_masks(small))
    assert_follow_image(results, expected)


def test_random_crop_uses_the_image_window():
    mask = (np.arange(8 * 10).reshape(8, 10) % 3).astype(np.uint8)
    mask[mask == 2] = 255
    for seed in range(5):
        np.random.seed(seed)
        results = RandomCrop((4, 3))(with_both_masks(mask))
        x0, y0, x1, y1 = results['crop_bbox']
        assert (x1 - x0, y1 - y0) == (4, 3)
        assert_follow_image(results, mask[y0:y1, x0:x1])


def test_full_chain_from_files(tmp_path):
    mask = np.zeros((8, 10), np.uint8)
    mask[2:6, 1:5] = 1
    mask[0, :] = 255
    mask[7, 9] = 255
    img_path, mask_dir, _ = write_dataset(tmp_path, mask=mask)
    pipeline = Compose([
        LoadWSOLImageFromFile(),
        LoadPseudoMask(mask_dir),
    ])
    geometric = Compose([
        Resize(size=(20, 16), interpolation='nearest'),
        RandomCrop((16, 12)),
        RandomFlip(prob=1.0),
        CenterCrop((10, 8)),
    ])
    np.random.seed(3)
    results = pipeline(dict(img_path=img_path, img_id=IMG_ID, sample_idx=7))
    assert np.array_equal(results['pseudo_mask'], mask)
    results['gt_mask'] = results['pseudo_mask'].copy()
    results = geometric(results)
    assert results['flip'] is True
    assert results['img_shape'] == (8, 10)
    assert_follow_image(results)

    packed = PackWSOLInputs()(results)
    sample = packed['data_samples']
    assert isinstance(sample, WSOLDataSample)
    assert sample.pseudo_mask.dtype == torch.uint8
    assert torch.equal(sample.pseudo_mask,
                       torch.from_numpy(results['pseudo_mask']))
    assert torch.equal(sample.pseudo_mask, sample.gt_mask)
    assert torch.equal(sample.pseudo_mask, packed['inputs'][0])
    assert sample.img_id == IMG_ID


def test_full_chain_hand_computed_from_file(tmp_path):
    img_path, mask_dir, _ = write_dataset(tmp_path)
    pipeline = Compose([
        LoadWSOLImageFromFile(),
        LoadPseudoMask(mask_dir),
        RandomFlip(prob=1.0),
        CenterCrop((4, 2)),
        PackWSOLInputs(),
    ])
    packed = pipeline(dict(img_path=img_path, img_id=IMG_ID, sample_idx=0))
    assert packed['data_samples'].pseudo_mask.tolist() == [[1, 1, 0, 0],
                                                           [1, 0, 0, 1]]
    assert packed['data_samples'].pseudo_mask.dtype == torch.uint8


def test_random_resized_crop_moves_the_masks():
    mask = np.zeros((8, 10), np.uint8)
    mask[1:5, 2:8] = 1
    mask[6, :] = 255
    transform = RandomResizedCrop(size=(6, 4), interpolation='nearest')
    # MMPretrain's sampler returns (offset_h, offset_w, h, w): rows 1..6,
    # columns 2..4 (3 x 6), resized to 6 x 4 with nearest neighbours.
    transform.rand_crop_params = mock.Mock(return_value=(1, 2, 6, 3))
    results = transform(with_both_masks(mask))
    window = mask[1:7, 2:5]
    expected = cv2.resize(window, (6, 4), interpolation=cv2.INTER_NEAREST)
    assert_follow_image(results, expected)
    assert results['crop_bbox'] == (2, 1, 5, 7)
    # cv2's nearest neighbour: column x of the output takes x * 3 // 6,
    # row y takes y * 6 // 4.
    rows = [0, 1, 3, 4]
    cols = [0, 0, 1, 1, 2, 2]
    assert np.array_equal(results['pseudo_mask'], window[rows][:, cols])


def test_random_resized_crop_random_window_keeps_masks_equal():
    mask = (np.arange(12 * 16).reshape(12, 16) % 5 == 0).astype(np.uint8)
    mask[3] = 255
    for seed in range(5):
        np.random.seed(seed)
        results = RandomResizedCrop(size=8, interpolation='nearest')(
            with_both_masks(mask))
        x0, y0, x1, y1 = results['crop_bbox']
        expected = cv2.resize(mask[y0:y1, x0:x1], (8, 8),
                              interpolation=cv2.INTER_NEAREST)
        assert_follow_image(results, expected)
