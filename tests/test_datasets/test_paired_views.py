"""PairedViews (SLT-Net's transformed view) and inverse_warp."""
import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope

from wsol_mm.datasets.transforms.paired_views import PairedViews, inverse_warp
from wsol_mm.registry import TRANSFORMS

FILL = (103.53, 116.28, 123.675)


def ramp_image(height, width, dtype=np.float32):
    """Pixel (r, c) holds 10 * c + r in every channel."""
    rows, cols = np.mgrid[0:height, 0:width]
    img = (10. * cols + rows).astype(dtype)
    return np.repeat(img[..., None], 3, axis=2)


def geometry_only(**kwargs):
    return PairedViews(color_jitter=None, **kwargs)


def test_registered():
    assert TRANSFORMS.get('PairedViews') is PairedViews
    with DefaultScope.overwrite_default_scope('wsol_mm'):
        built = TRANSFORMS.build(dict(type='PairedViews', flip_prob=1.0))
    assert isinstance(built, PairedViews) and built.flip_prob == 1.0
    assert 'scale_range=(0.75, 1.25)' in repr(built)


def test_affine_matrix_by_hand():
    # W 10, H 6, s 2 about the centre (5, 3): x' = 2x - 5, y' = 2y - 3.
    np.testing.assert_array_equal(
        PairedViews.affine_matrix(10, 6, 2.0, False),
        [[2, 0, -5], [0, 2, -3]])
    # then x'' = 10 - x' = -2x + 15
    np.testing.assert_array_equal(
        PairedViews.affine_matrix(10, 6, 2.0, True),
        [[-2, 0, 15], [0, 2, -3]])
    np.testing.assert_array_equal(
        PairedViews.affine_matrix(10, 6, 1.0, True), [[-1, 0, 10], [0, 1, 0]])


def test_flip_only():
    img = np.random.default_rng(0).integers(0, 256, (5, 7, 3))
    results = dict(img=img.astype(np.uint8),
                   gt_bboxes=np.array([[1, 1, 3, 4.]]))
    original = results['img'].copy()
    results = geometry_only(flip_prob=1.0, scale_range=(1, 1))(results)
    np.testing.assert_array_equal(results['img_view2'], original[:, ::-1])
    np.testing.assert_array_equal(results['img'], original)
    np.testing.assert_array_equal(results['view2_affine'],
                                  [[-1, 0, 7], [0, 1, 0]])
    assert results['view2_flip'] is True and results['view2_scale'] == 1.0
    np.testing.assert_array_equal(results['gt_bboxes'], [[1, 1, 3, 4]])


def test_identity_view():
    img = np.random.default_rng(1).integers(0, 256, (6, 4, 3)).astype(
        np.uint8)
    results = geometry_only(flip_prob=0.0, scale_range=(1, 1))(
        dict(img=img.copy()))
    np.testing.assert_array_equal(results['img_view2'], img)
    np.testing.assert_array_equal(results['view2_affine'],
                                  [[1, 0, 0], [0, 1, 0]])


def test_zoom_in_by_two():
    # 8 x 8 ramp, s = 2: view-2 pixel c (centre c + 0.5) shows the original
    # at x = (c + 0.5 + 4) / 2, i.e. pixel-centre coordinate x - 0.5.
    results = geometry_only(flip_prob=0.0, scale_range=(2, 2))(
        dict(img=ramp_image(8, 8)))
    view2 = results['img_view2']
    assert view2.shape == (8, 8, 3) and view2.dtype == np.float32
    centre = (np.arange(8) + 4.5) / 2 - 0.5  # 1.75, 2.25, ..., 5.25
    expected = 10 * centre[None, :] + centre[:, None]
    np.testing.assert_allclose(view2[..., 0], expected, atol=1e-4)
    np.testing.assert_allclose(view2[..., 2], expected, atol=1e-4)
    assert view2[0, 0, 0] == pytest.approx(10 * 1.75 + 1.75)
    np.testing.assert_array_equal(results['view2_affine'],
                                  [[2, 0, -4], [0, 2, -4]])


def test_zoom_out_by_two_pads_with_the_mean():
    # s = 0.5 maps [0, 8] onto [2, 6]; columns/rows 0, 1, 6, 7 are padding.
    results = geometry_only(flip_prob=0.0, scale_range=(0.5, 0.5))(
        dict(img=ramp_image(8, 8)))
    view2 = results['img_view2']
    for index in (0, 1, 6, 7):
        np.testing.assert_allclose(view2[index], np.tile(FILL, (8, 1)),
                                   rtol=1e-6)
        np.testing.assert_allclose(view2[:, index], np.tile(FILL, (8, 1)),
                                   rtol=1e-6)
    # pixel c in 2..5 (centre c + 0.5) shows x = 2c - 3, centre coord 2c - 3.5
    centre = 2 * np.arange(2, 6) - 3.5
    expected = 10 * centre[None, :] + centre[:, None]
    np.testing.assert_allclose(view2[2:6, 2:6, 1], expected, atol=1e-4)
    uint8 = geometry_only(flip_prob=0.0, scale_range=(0.5, 0.5))(
        dict(img=np.zeros((8, 8, 3), np.uint8)))['img_view2']
    np.testing.assert_array_equal(uint8[0, 0], (104, 116, 124))


def test_zoom_out_fills_outside_and_replicates_inside_the_border():
    # s = 0.75 on 8 x 8 maps [0, 8] onto [1, 7]. View-2 pixels 0 and 7
    # (centres 0.5 and 7.5) come from x = -2/3 and 26/3: padding.
    results = geometry_only(flip_prob=0.0, scale_range=(0.75, 0.75))(
        dict(img=ramp_image(8, 8)))
    view2 = results['img_view2'][..., 0]
    for index in (0, 7):
        np.testing.assert_allclose(view2[index], FILL[0], rtol=1e-6)
        np.testing.assert_allclose(view2[:, index], FILL[0], rtol=1e-6)
    # Pixel 2 (centre 2.5) comes from x = 2, centre coordinate 1.5; pixel 1
    # (centre 1.5) from x = 2/3, centre coordinate 1/6 (OpenCV rounds
    # sampling positions to 1/32 px, hence the tolerance).
    assert view2[1, 2] == pytest.approx(10 * 1.5 + 1 / 6, abs=0.05)
    assert view2[2, 1] == pytest.approx(10 / 6 + 1.5, abs=0.2)
    # s = 0.9 on 6 x 6 maps [0, 6] onto [0.3, 5.7]: every view-2 centre
    # comes from inside; pixel 0 (centre 0.5) from x = 2/9, left of the
    # original's first centre (0.5): its value is replicated, not blended
    # with the padding.
    results = geometry_only(flip_prob=0.0, scale_range=(0.9, 0.9))(
        dict(img=ramp_image(6, 6)))
    view2 = results['img_view2'][..., 0]
    assert view2.max() <= 55 + 1e-4  # no padding anywhere
    for (r, c), value in {(0, 0): 0, (0, 5): 50, (5, 0): 5,
                          (5, 5): 55}.items():
        assert view2[r, c] == pytest.approx(value, abs=1e-4)


def test_color_jitter_only_touches_view2():
    img = np.random.default_rng(2).integers(0, 256, (16, 16, 3)).astype(
        np.uint8)
    np.random.seed(0)
    results = PairedViews(
        color_jitter=dict(brightness=0.5, contrast=0.5, saturation=0.5,
                          hue=0.2),
        flip_prob=0.0, scale_range=(1, 1))(dict(img=img.copy()))
    np.testing.assert_array_equal(results['img'], img)
    assert results['img_view2'].shape == img.shape
    assert np.abs(results['img_view2'].astype(int) - img).mean() > 2
    # hue factors of both signs (mmcv's adjust_hue fails on negative ones)
    for hue in ((-0.25, -0.25), (0.25, 0.25)):
        shifted = PairedViews(color_jitter=dict(hue=hue), flip_prob=0.0,
                              scale_range=(1, 1))(dict(img=img.copy()))
        assert np.abs(shifted['img_view2'].astype(int) - img).mean() > 2
    # a quarter turn in both directions is the identity, up to rounding
    pure = np.zeros((1, 1, 3), np.uint8)
    pure[..., 2] = 255  # red in BGR
    minus = PairedViews(color_jitter=dict(hue=(-0.25, -0.25)),
                        flip_prob=0.0, scale_range=(1, 1))(
                            dict(img=pure.copy()))['img_view2']
    back = PairedViews(color_jitter=dict(hue=(0.25, 0.25)), flip_prob=0.0,
                       scale_range=(1, 1))(dict(img=minus))['img_view2']
    np.testing.assert_allclose(back.astype(int), pure, atol=8)
    assert minus[0, 0, 0] > 200  # red turned a quarter back is blue-violet
    # a brightness-only jitter by a known factor, through MMPretrain's draw
    np.random.seed(0)
    factor = PairedViews(color_jitter=dict(brightness=(1.5, 1.5)),
                         flip_prob=0.0, scale_range=(1, 1))(
                             dict(img=np.full((2, 2, 3), 100, np.uint8)))
    np.testing.assert_array_equal(factor['img_view2'], 150)


def test_draws():
    transform = PairedViews(flip_prob=0.5, scale_range=(0.6, 1.4))
    flips, scales = [], []
    np.random.seed(3)
    for _ in range(200):
        results = transform(dict(img=np.zeros((6, 10, 3), np.uint8)))
        flips.append(results['view2_flip'])
        scales.append(results['view2_scale'])
        np.testing.assert_allclose(
            results['view2_affine'],
            PairedViews.affine_matrix(10, 6, scales[-1], flips[-1]))
    assert 70 <= sum(flips) <= 130
    assert 0.6 <= min(scales) < 0.7 and 1.3 < max(scales) <= 1.4


@pytest.mark.parametrize('kwargs', [
    dict(flip_prob=2.0), dict(scale_range=(0, 1)), dict(scale_range=(2, 1)),
    dict(interpolation='cubic')
])
def test_invalid_arguments(kwargs):
    with pytest.raises(ValueError):
        PairedViews(**kwargs)


# ---------------------------------------------------------------- inverse_warp


def ramp_on_grid(affine_inv, height, width, img_h, img_w,
                 coeffs=(0.7, -1.3, 5.0)):
    """f(x, y) = a x + b y + c of the original's continuous coordinates,
    sampled at the centres of a (height, width) grid over an (img_h, img_w)
    image after mapping them through ``affine_inv`` (own forward warp)."""
    ys, xs = np.mgrid[0:height, 0:width]
    x = (xs + 0.5) * img_w / width
    y = (ys + 0.5) * img_h / height
    ox = affine_inv[0, 0] * x + affine_inv[0, 1] * y + affine_inv[0, 2]
    oy = affine_inv[1, 0] * x + affine_inv[1, 1] * y + affine_inv[1, 2]
    a, b, c = coeffs
    return a * ox + b * oy + c


def inverse_of(affine):
    full = np.vstack([affine, [0, 0, 1]])
    return np.linalg.inv(full)[:2]


def expected_mask(affine, out_h, out_w, img_h, img_w, map_h, map_w):
    """Output pixel centres whose image of the affine lies within the
    outer pixel centres of the view-2 map."""
    ys, xs = np.mgrid[0:out_h, 0:out_w]
    x = (xs + 0.5) * img_w / out_w
    y = (ys + 0.5) * img_h / out_h
    vx = (affine[0, 0] * x + affine[0, 1] * y + affine[0, 2]) * map_w / img_w
    vy = (affine[1, 0] * x + affine[1, 1] * y + affine[1, 2]) * map_h / img_h
    eps = 1e-9
    return ((vx >= 0.5 - eps) & (vx <= map_w - 0.5 + eps)
            & (vy >= 0.5 - eps) & (vy <= map_h - 0.5 + eps))


def test_inverse_warp_identity():
    maps = torch.rand(2, 3, 5, 6)
    out, valid = inverse_warp(maps, np.array([[1., 0, 0], [0, 1, 0]]),
                              (5, 6))
    torch.testing.assert_close(out, maps)
    assert valid.shape == (2, 1, 5, 6) and valid.dtype == torch.bool
    assert valid.all()


def test_inverse_warp_flip_by_hand():
    maps = torch.arange(6.).reshape(1, 1, 2, 3)
    out, valid = inverse_warp(maps, torch.tensor([[[-1., 0, 3], [0, 1, 0]]]),
                              (2, 3))
    torch.testing.assert_close(out, torch.tensor([[[[2., 1, 0], [5, 4, 3]]]]))
    assert valid.all()


def test_inverse_warp_zoom_by_hand():
    # 4 x 4 maps and image, s = 2 about the centre: x' = 2x - 2. Output
    # centres 0.5, 1.5, 2.5, 3.5 land on -1, 1, 3, 5; only 1 and 3 lie
    # between the outer view-2 centres 0.5 and 3.5. Position 1 is halfway
    # between the centres of pixels 0 and 1 (value 4 r + c at r = c = 0.5).
    maps = torch.arange(16.).reshape(1, 1, 4, 4)
    affine = PairedViews.affine_matrix(4, 4, 2.0, False)
    out, valid = inverse_warp(maps, affine, (4, 4))
    expected_valid = torch.zeros(1, 1, 4, 4, dtype=torch.bool)
    expected_valid[..., 1:3, 1:3] = True
    assert torch.equal(valid, expected_valid)
    torch.testing.assert_close(out[0, 0, 1:3, 1:3],
                               torch.tensor([[2.5, 4.5], [10.5, 12.5]]))
    # zoom out by 2: x' = x / 2 + 1, the whole original is inside view 2;
    # output centre 0.5 lands on 1.25, between view-2 centres 0.5 and 1.5.
    affine = PairedViews.affine_matrix(4, 4, 0.5, False)
    out, valid = inverse_warp(maps, affine, (4, 4))
    assert valid.all()
    assert float(out[0, 0, 0, 0]) == pytest.approx(0.75 * 4 + 0.75)


@pytest.mark.parametrize('dtype,atol', [(torch.float64, 1e-9),
                                        (torch.float32, 1e-4)])
def test_inverse_warp_undoes_the_forward_warp(dtype, atol):
    """A linear ramp warped forth (analytically) and back is the identity on
    the overlap; bilinear sampling of a linear function is exact."""
    height, width = 24, 32
    cases = [(0.6, False), (0.8, True), (1.0, True), (1.3, False),
             (1.7, True), (2.4, False)]
    affines = np.stack([PairedViews.affine_matrix(width, height, s, f)
                        for s, f in cases])
    maps = np.stack([ramp_on_grid(inverse_of(a), height, width, height,
                                  width) for a in affines])[:, None]
    out, valid = inverse_warp(torch.tensor(maps, dtype=dtype),
                              torch.tensor(affines), (height, width))
    assert out.dtype == dtype
    original = ramp_on_grid(np.eye(3)[:2], height, width, height, width)
    for k, affine in enumerate(affines):
        mask = expected_mask(affine, height, width, height, width, height,
                             width)
        np.testing.assert_array_equal(valid[k, 0].numpy(), mask)
        assert mask.sum() >= 0.1 * mask.size
        np.testing.assert_allclose(out[k, 0].numpy()[mask], original[mask],
                                   atol=atol, rtol=0)
        if cases[k][0] <= 1:  # zoom out or flip: the whole original is seen
            assert mask.all()


def test_inverse_warp_low_resolution_maps():
    """Maps at 1/4 of the image resolution (as CAMs are): the affine is in
    image pixels, ``img_shape`` gives their units."""
    img_h, img_w, map_h, map_w = 24, 32, 6, 8
    affine = PairedViews.affine_matrix(img_w, img_h, 1.5, True)
    # a general affine (shear, translation) as well
    sheared = np.array([[0.9, 0.2, 3.0], [-0.1, 1.1, -2.0]])
    maps = np.stack([
        ramp_on_grid(inverse_of(a), map_h, map_w, img_h, img_w)
        for a in (affine, sheared)
    ])[:, None]
    out, valid = inverse_warp(torch.tensor(maps),
                              torch.tensor(np.stack([affine, sheared])),
                              (map_h, map_w), img_shape=(img_h, img_w))
    original = ramp_on_grid(np.eye(3)[:2], map_h, map_w, img_h, img_w)
    for k, a in enumerate((affine, sheared)):
        mask = expected_mask(a, map_h, map_w, img_h, img_w, map_h, map_w)
        np.testing.assert_array_equal(valid[k, 0].numpy(), mask)
        assert mask.sum() >= 6
        np.testing.assert_allclose(out[k, 0].numpy()[mask], original[mask],
                                   atol=1e-9, rtol=0)


def test_inverse_warp_different_view2_size():
    # view 2 twice the original's size: x' = 2x exactly, 3 x 4 -> 6 x 8
    view2 = ramp_on_grid(np.array([[0.5, 0, 0], [0, 0.5, 0]]), 6, 8, 6, 8)
    out, valid = inverse_warp(torch.tensor(view2)[None, None],
                              np.array([[2., 0, 0], [0, 2, 0]]), (3, 4),
                              view2_shape=(6, 8))
    original = ramp_on_grid(np.eye(3)[:2], 3, 4, 3, 4)
    assert valid.all()
    np.testing.assert_allclose(out[0, 0].numpy(), original, atol=1e-9)


def test_paired_views_image_warped_back():
    """PairedViews' OpenCV warp and inverse_warp agree: warping view 2 back
    recovers the original on the overlap (OpenCV quantises sampling
    positions to 1/32 px, hence the tolerance on a slope of 10 per px)."""
    img = ramp_image(20, 24)
    for seed in range(6):
        np.random.seed(seed)
        results = PairedViews(color_jitter=None, flip_prob=0.5,
                              scale_range=(0.7, 1.5))(dict(img=img.copy()))
        view2 = torch.from_numpy(results['img_view2']).permute(2, 0, 1)
        out, valid = inverse_warp(view2[None], results['view2_affine'],
                                  (20, 24))
        back = out[0].permute(1, 2, 0).numpy()
        mask = valid[0, 0].numpy()
        # the two resamplings blend the original's outer 2 px with padding
        mask[:2] = mask[-2:] = mask[:, :2] = mask[:, -2:] = False
        assert mask.sum() > 100
        np.testing.assert_allclose(back[mask], img[mask], atol=0.2)


def test_inverse_warp_bad_shapes():
    with pytest.raises(ValueError):
        inverse_warp(torch.zeros(1, 4, 4), np.eye(3)[:2], (4, 4))
    with pytest.raises(ValueError):
        inverse_warp(torch.zeros(2, 1, 4, 4), torch.zeros(3, 2, 3), (4, 4))
