"""Hide-and-Seek: which pixels are hidden, with what, how often."""
import numpy as np
import pytest
from mmengine.registry import DefaultScope

from wsol_mm.datasets.transforms.hide_and_seek import HideAndSeek
from wsol_mm.registry import TRANSFORMS


def results_of(height, width, dtype=np.uint8):
    rng = np.random.default_rng(height * 1000 + width)
    # values 0..99 never equal the rounded fill (104, 116, 124)
    img = rng.integers(0, 100, (height, width, 3)).astype(dtype)
    boxes = np.array([[1.5, 2, 7, 9]], dtype=np.float64)
    return dict(img=img, img_shape=(height, width), gt_bboxes=boxes,
                gt_mask=np.ones((height, width), np.uint8))


def expected_image(img, size, hidden, fill):
    """Fill patch (r, c) = rows r*S..(r+1)*S, columns c*S..(c+1)*S."""
    out = img.copy()
    for r in range(hidden.shape[0]):
        for c in range(hidden.shape[1]):
            if hidden[r, c]:
                out[r * size:(r + 1) * size, c * size:(c + 1) * size] = fill
    return out


def test_registered():
    assert TRANSFORMS.get('HideAndSeek') is HideAndSeek
    with DefaultScope.overwrite_default_scope('wsol_mm'):
        built = TRANSFORMS.build(dict(type='HideAndSeek', grid_sizes=(8, )))
    assert isinstance(built, HideAndSeek) and built.grid_sizes == (8, )
    assert repr(HideAndSeek()) == (
        'HideAndSeek(grid_sizes=(0, 4, 8, 16), hide_prob=0.5, '
        'fill=(103.53, 116.28, 123.675))')


def test_patches_are_pixel_squares_with_partial_border_patches():
    # 10 x 14 image, 4 px patches: a ceil(10/4) x ceil(14/4) = 3 x 4 grid,
    # the last row 2 px high and the last column 2 px wide.
    for seed in range(10):
        np.random.seed(seed)
        results = results_of(10, 14)
        original = results['img'].copy()
        boxes = results['gt_bboxes'].copy()
        results = HideAndSeek(grid_sizes=(4, ))(results)
        hidden = results['hidden_patches']
        assert results['hide_grid_size'] == 4
        assert hidden.shape == (3, 4) and hidden.dtype == bool
        np.testing.assert_array_equal(
            results['img'], expected_image(original, 4, hidden,
                                           (104, 116, 124)))
        assert results['img'].dtype == np.uint8
        np.testing.assert_array_equal(results['gt_bboxes'], boxes)
        assert results['gt_mask'].all()


def test_hand_placed_patches():
    np.random.seed(0)
    transform = HideAndSeek(grid_sizes=(3, ), fill=(1, 2, 3))
    results = transform(results_of(5, 7))
    hidden = results['hidden_patches']
    img = results['img']
    assert hidden.shape == (2, 3)
    # patch (1, 2) covers rows 3..4 and column 6 only
    assert (np.all(img[3:5, 6] == (1, 2, 3))) == bool(hidden[1, 2])
    assert (np.all(img[0:3, 0:3] == (1, 2, 3))) == bool(hidden[0, 0])
    assert hidden.any() and not hidden.all()  # this seed mixes both


def test_zero_grid_size_hides_nothing():
    results = results_of(9, 9)
    original = results['img'].copy()
    results = HideAndSeek(grid_sizes=(0, ))(results)
    np.testing.assert_array_equal(results['img'], original)
    assert results['hide_grid_size'] == 0
    assert results['hidden_patches'].shape == (0, 0)


def test_mixed_grid_sizes_are_uniform():
    transform = HideAndSeek()
    counts = {0: 0, 4: 0, 8: 0, 16: 0}
    np.random.seed(1)
    for _ in range(400):
        results = transform(results_of(32, 32))
        size = results['hide_grid_size']
        counts[size] += 1
        expected_shape = (0, 0) if size == 0 else (32 // size, 32 // size)
        assert results['hidden_patches'].shape == expected_shape
    for size, count in counts.items():
        assert 70 <= count <= 130, counts  # 100 expected each


def test_hide_probability():
    np.random.seed(2)
    fractions = [
        HideAndSeek(grid_sizes=(2, ))(results_of(64, 64))[
            'hidden_patches'].mean() for _ in range(10)
    ]
    assert abs(np.mean(fractions) - 0.5) < 0.02
    all_hidden = HideAndSeek(grid_sizes=(4, ), hide_prob=1.0,
                             fill=7)(results_of(8, 12))
    assert (all_hidden['img'] == 7).all()
    none_hidden = results_of(8, 12)
    original = none_hidden['img'].copy()
    none_hidden = HideAndSeek(grid_sizes=(4, ), hide_prob=0.0)(none_hidden)
    np.testing.assert_array_equal(none_hidden['img'], original)
    assert not none_hidden['hidden_patches'].any()


def test_float_images_take_the_exact_mean():
    results = results_of(8, 8, dtype=np.float32)
    results = HideAndSeek(grid_sizes=(8, ), hide_prob=1.0)(results)
    np.testing.assert_allclose(results['img'][3, 5],
                               (103.53, 116.28, 123.675), rtol=1e-6)


def test_input_image_not_modified_and_seeded_runs_repeat():
    results = results_of(16, 16)
    original = results['img']
    copy = original.copy()
    np.random.seed(5)
    first = HideAndSeek(grid_sizes=(4, ), hide_prob=1.0)(dict(results))
    np.testing.assert_array_equal(original, copy)
    assert first['img'] is not original
    np.random.seed(7)
    a = HideAndSeek()(results_of(16, 16))
    np.random.seed(7)
    b = HideAndSeek()(results_of(16, 16))
    np.testing.assert_array_equal(a['img'], b['img'])
    np.testing.assert_array_equal(a['hidden_patches'], b['hidden_patches'])


def test_gray_image_uses_the_mean_of_the_fill():
    results = dict(img=np.zeros((4, 4), np.uint8), img_shape=(4, 4))
    results = HideAndSeek(grid_sizes=(4, ), hide_prob=1.0,
                          fill=(10, 20, 33))(results)
    assert (results['img'] == 21).all()


@pytest.mark.parametrize('kwargs', [
    dict(grid_sizes=()), dict(grid_sizes=(-4, )), dict(hide_prob=1.5),
    dict(hide_prob=-0.1)
])
def test_invalid_arguments(kwargs):
    with pytest.raises(ValueError):
        HideAndSeek(**kwargs)
