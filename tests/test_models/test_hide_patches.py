"""HidePatches (Hide-and-Seek on the normalised batch): hidden pixels vs
hand-computed masks, non-square inputs, border patches, wsolevaluation's
draws on square inputs, and in WSOLDataPreprocessor (training only)."""
import random
from unittest import mock

import pytest
import torch
from mmengine.model import ImgDataPreprocessor
from mmengine.registry import init_default_scope

from wsol_mm.models.utils import HidePatches
from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample

NORM = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
            bgr_to_rgb=True)


def _batch(batch=2, channels=3, height=7, width=10, seed=0):
    generator = torch.Generator().manual_seed(seed)
    # no exact zeros, so that hidden pixels are the zeros of the output
    return torch.rand(batch, channels, height, width,
                      generator=generator) + 0.5


def _mask_from_draws(draws, height, width, grid_size):
    """Pixel (y, x) is hidden when the draw of its patch, numbered row by
    row, is <= 0.5 (drop_rate 0.5)."""
    cols = -(-width // grid_size)
    return torch.tensor([[draws[(y // grid_size) * cols + x // grid_size]
                          <= 0.5 for x in range(width)]
                         for y in range(height)])


def test_registered_and_repr():
    init_default_scope('wsol_mm')
    aug = MODELS.build(dict(type='HidePatches', grid_sizes=(0, 4, 8, 16)))
    assert isinstance(aug, HidePatches)
    assert repr(aug) == ('HidePatches(grid_sizes=(0, 4, 8, 16), '
                         'drop_rate=0.5)')
    default = HidePatches()
    assert (default.grid_sizes, default.drop_rate) == ((4, ), 0.5)


@pytest.mark.parametrize('kwargs,match', [
    (dict(grid_sizes=4), 'grid_sizes'),
    (dict(grid_sizes=()), 'grid_sizes'),
    (dict(grid_sizes=(4, -1)), 'grid_sizes'),
    (dict(grid_sizes=(2.5, )), 'grid_sizes'),
    (dict(drop_rate=1.5), 'drop_rate'),
])
def test_bad_arguments_name_the_key(kwargs, match):
    with pytest.raises(ValueError, match=match):
        HidePatches(**kwargs)


def test_hidden_pixels_by_hand_with_border_patches():
    """5 x 3 image, 2-px patches: 3 x 2 patches, the last row 1 px high and
    the last column 1 px wide."""
    inputs = _batch(batch=1, channels=2, height=5, width=3)
    draws = [0.5, 0.7, 0.1, 0.5000001, 0.9, 0.0]  # "<=": 0.5 is hidden
    with mock.patch.object(random, 'random', side_effect=draws):
        out = HidePatches(grid_sizes=(2, ), drop_rate=0.5)(inputs)
    hidden = torch.tensor([[1, 1, 0],
                           [1, 1, 0],
                           [1, 1, 0],
                           [1, 1, 0],
                           [0, 0, 1]], dtype=torch.bool)
    assert torch.equal(out['hidden'][0], hidden)
    assert out['grid_sizes'] == [2]
    expected = inputs.clone()
    expected[0, :, hidden] = 0.
    assert torch.equal(out['inputs'], expected)


@pytest.mark.parametrize('height,width,grid_size', [(7, 10, 4), (10, 7, 3),
                                                    (6, 6, 6)])
def test_seeded_draws_non_square(height, width, grid_size):
    inputs = _batch(batch=3, height=height, width=width)
    random.seed(11)
    out = HidePatches(grid_sizes=(grid_size, ))(inputs)
    random.seed(11)
    patches = (-(-height // grid_size)) * (-(-width // grid_size))
    for index in range(3):
        draws = [random.random() for _ in range(patches)]
        hidden = _mask_from_draws(draws, height, width, grid_size)
        assert torch.equal(out['hidden'][index], hidden)
        assert torch.equal(out['inputs'][index] == 0,
                           hidden.expand(3, -1, -1))
        assert torch.equal(out['inputs'][index][:, ~hidden],
                           inputs[index][:, ~hidden])
    assert 0 < int(out['hidden'].sum()) < out['hidden'].numel()
    assert not torch.equal(out['inputs'], inputs)
    assert bool((inputs != 0).all())  # the input batch is not changed


def _wsolevaluation_has(batch, grid_size, drop_rate):
    """The reference's loop restated for a square batch: the outer loop
    steps over the width but slices dim 2, both ends clipped at the
    height; the inner one slices dim 3."""
    batch = batch.clone()
    side = batch.shape[2]
    for image in batch:
        for outer in range(0, batch.shape[3], grid_size):
            for inner in range(0, side, grid_size):
                if random.random() <= drop_rate:
                    image[:, outer:min(side, outer + grid_size),
                          inner:min(side, inner + grid_size)] = 0.
    return batch


@pytest.mark.parametrize('grid_size', [3, 4])
def test_same_draws_as_wsolevaluation_on_square_inputs(grid_size):
    inputs = _batch(batch=2, height=10, width=10)
    random.seed(5)
    expected = _wsolevaluation_has(inputs, grid_size, 0.5)
    random.seed(5)
    got = HidePatches(grid_sizes=(grid_size, ))(inputs)['inputs']
    assert torch.equal(got, expected)


def test_drop_rate_zero_and_one():
    inputs = _batch()
    random.seed(0)
    none = HidePatches(grid_sizes=(3, ), drop_rate=0.0)(inputs)
    assert not none['hidden'].any()
    assert torch.equal(none['inputs'], inputs)
    every = HidePatches(grid_sizes=(3, ), drop_rate=1.0)(inputs)
    assert every['hidden'].all()
    assert not every['inputs'].any()


def test_grid_size_zero_hides_nothing_and_draws_nothing():
    inputs = _batch()
    random.seed(3)
    state = random.getstate()
    out = HidePatches(grid_sizes=(0, ), drop_rate=1.0)(inputs)
    assert random.getstate() == state
    assert torch.equal(out['inputs'], inputs)
    assert out['grid_sizes'] == [0, 0]


def test_mixed_sizes_one_per_image():
    sizes = (0, 2, 3, 5)
    inputs = _batch(batch=8, height=9, width=6)
    random.seed(2)
    out = HidePatches(grid_sizes=sizes)(inputs)
    assert len(set(out['grid_sizes'])) > 1
    # replay: per image a size (random.choice), then its patch draws
    random.seed(2)
    for index in range(8):
        size = random.choice(sizes)
        assert out['grid_sizes'][index] == size
        if size == 0:
            assert not out['hidden'][index].any()
            continue
        patches = (-(-9 // size)) * (-(-6 // size))
        draws = [random.random() for _ in range(patches)]
        assert torch.equal(out['hidden'][index],
                           _mask_from_draws(draws, 9, 6, size))


def test_mixed_sizes_are_uniform():
    aug = HidePatches(grid_sizes=(0, 4, 8, 16))
    random.seed(0)
    drawn = []
    for _ in range(50):
        drawn += aug(torch.ones(8, 1, 16, 16))['grid_sizes']
    counts = [drawn.count(size) for size in (0, 4, 8, 16)]
    assert all(70 < count < 130 for count in counts), counts


def _images(labels=(0, 2), height=9, width=6):
    generator = torch.Generator().manual_seed(1)
    inputs = [torch.randint(0, 256, (3, height, width), generator=generator,
                            dtype=torch.uint8) for _ in labels]
    samples = [WSOLDataSample().set_gt_label(label) for label in labels]
    return dict(inputs=inputs, data_samples=samples)


def test_preprocessor_hides_only_in_training():
    init_default_scope('wsol_mm')
    pre = MODELS.build(dict(
        type='WSOLDataPreprocessor', **NORM,
        batch_augments=dict(type='HidePatches', grid_sizes=(4, ),
                            drop_rate=0.5)))
    reference = ImgDataPreprocessor(**NORM)(_images(), training=True)
    reference = reference['inputs']

    state = random.getstate()
    out = pre(_images(), training=False)
    assert random.getstate() == state
    assert torch.equal(out['inputs'], reference)

    random.seed(7)
    out = pre(_images(), training=True)
    random.seed(7)
    # on the normalised batch: hidden pixels are 0 = the mean pixel
    expected = HidePatches(grid_sizes=(4, ))(reference)['inputs']
    assert torch.equal(out['inputs'], expected)
    assert not torch.equal(out['inputs'], reference)
    for sample, label in zip(out['data_samples'], (0, 2)):
        assert 'gt_score' not in sample  # labels unchanged
        assert int(sample.gt_label) == label
