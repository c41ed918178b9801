"""PairedViews (SLT-Net's transformed view) and inverse_warp."""
import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope

from wsol_mm.datasets.transforms.paired_views import PairedViews
from wsol_mm.structures import inverse_warp
from wsol_mm.registry import TRANSFORMS

FILL = (103.53, 116.28, 123.675)


def ramp_image(height, width, dtype=np.float32):
    """Pixel (r, c) holds 10 * c + r in every channel."""
    rows, cols = np.mgrid[0:height, 0:width]
    img = (10. * cols + rows).astype(dtype)
    return np.repeat(img[..., None], 3, axis=2)


def geometry_only(**kwargs):
    return PairedViews(color_jitter=None, **kwargs)


def zoom_only(**kwargs):
    return geometry_only(scale_mode='zoom', **kwargs)


def test_registered():
    assert TRANSFORMS.get('PairedViews') is PairedViews
    with DefaultScope.overwrite_default_scope('wsol_mm'):
        built = TRANSFORMS.build(dict(type='PairedViews', flip_prob=1.0))
    assert isinstance(built, PairedViews) and built.flip_prob == 1.0
    assert 'scale_range=(0.75, 1.25)' in repr(built)
    assert "scale_mode='resize'" in repr(built) and built.size_divisor == 1


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
    results = zoom_only(flip_prob=0.0, scale_range=(2, 2))(
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
    results = zoom_only(flip_prob=0.0, scale_range=(0.5, 0.5))(
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
    uint8 = zoom_only(flip_prob=0.0, scale_range=(0.5, 0.5))(
        dict(img=np.zeros((8, 8, 3), np.uint8)))['img_view2']
    np.testing.assert_array_equal(uint8[0, 0], (104, 116, 124))


def test_zoom_out_fills_outside_and_replicates_inside_the_border():
    # s = 0.75 on 8 x 8 maps [0, 8] onto [1, 7]. View-2 pixels 0 and 7
    # (centres 0.5 and 7.5) come from x = -2/3 and 26/3: padding.
    results = zoom_only(flip_prob=0.0, scale_range=(0.75, 0.75))(
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
    results = zoom_only(flip_prob=0.0, scale_range=(0.9, 0.9))(
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


# ------------------------------------------------------------- 'resize' mode


def centroid(img):
    """Intensity-weighted centre (x, y) of channel 0, continuous coords."""
    weights = img[..., 0].astype(np.float64)
    ys, xs = np.mgrid[0:img.shape[0], 0:img.shape[1]] + 0.5
    return ((weights * xs).sum() / weights.sum(),
            (weights * ys).sum() / weights.sum())


def marked_image():
    """30 x 20 zeros with a 4 x 4 block of 255 at columns 8-11, rows 4-7:
    off-centre, centre (10, 6)."""
    img = np.zeros((20, 30, 3), np.uint8)
    img[4:8, 8:12] = 255
    return img


@pytest.mark.parametrize('scale,flip', [(0.5, False), (0.5, True),
                                        (2.0, False), (2.0, True)])
def test_resize_moves_a_marker_where_the_affine_says(scale, flip):
    # s = 2 (samples at symmetric positions) and s = 0.5 (pairs of pixels)
    # keep the block symmetric: its centroid is exactly the mapped centre.
    results = geometry_only(flip_prob=float(flip), scale_choices=(scale, ))(
        dict(img=marked_image()))
    view2 = results['img_view2']
    assert view2.shape == (int(20 * scale), int(30 * scale), 3)
    assert view2.dtype == np.uint8
    affine = results['view2_affine']
    np.testing.assert_allclose(affine @ [10, 6, 1], centroid(view2),
                               atol=1e-9)
    x_scale = -scale if flip else scale
    np.testing.assert_array_equal(
        affine, [[x_scale, 0, 30 * scale if flip else 0], [0, scale, 0]])
    assert results['view2_flip'] is flip and results['view2_scale'] == scale
    if scale == 0.5:  # pixels 8-11 average into view-2 pixels 4 and 5
        block = np.zeros((10, 15), np.uint8)
        block[2:4, 4:6] = 255
        np.testing.assert_array_equal(view2[..., 1],
                                      block[:, ::-1] if flip else block)
    np.testing.assert_array_equal(results['img'], marked_image())


def test_resize_samples_the_ramp_bilinearly():
    # 0.5 x 8 x 8: view-2 pixel c averages pixels 2c and 2c + 1 (x = 2c + 1,
    # pixel-centre coordinate 2c + 0.5); flipped, column c is column 3 - c.
    expected = 10 * (2 * np.arange(4.) + 0.5)[None] + (
        2 * np.arange(4.) + 0.5)[:, None]
    for flip in (False, True):
        view2 = geometry_only(flip_prob=float(flip), scale_range=(0.5, 0.5))(
            dict(img=ramp_image(8, 8)))['img_view2']
        assert view2.shape == (4, 4, 3)
        np.testing.assert_allclose(view2[..., 2],
                                   expected[:, ::-1] if flip else expected,
                                   atol=1e-4)
    # nearest is centre-aligned: view-2 pixel c (centre x = 2c + 1) takes
    # pixel 2c + 1 (OpenCV's INTER_NEAREST would take 2c)
    nearest = geometry_only(flip_prob=0.0, scale_range=(0.5, 0.5),
                            interpolation='nearest')(
                                dict(img=ramp_image(8, 8)))['img_view2']
    odd = 2 * np.arange(4.) + 1
    np.testing.assert_array_equal(nearest[..., 0],
                                  10 * odd[None] + odd[:, None])


def test_resize_sizes_round_half_up_to_the_divisor():
    img = np.zeros((6, 10, 3), np.uint8)
    # 0.75 * 10 = 7.5 -> 8 and 0.75 * 6 = 4.5 -> 5 (half up, not to even)
    results = geometry_only(scale_range=(0.75, 0.75), flip_prob=0.0)(
        dict(img=img))
    assert results['img_view2'].shape == (5, 8, 3)
    np.testing.assert_allclose(results['view2_affine'],
                               [[0.8, 0, 0], [0, 5 / 6, 0]])
    assert results['view2_scale'] == 0.75
    # divisor 8: 0.75 * 30 / 8 = 2.81 -> 24, 0.75 * 20 / 8 = 1.88 -> 16
    transform = geometry_only(scale_choices=(0.75, ), size_divisor=8,
                              flip_prob=1.0)
    results = transform(dict(img=np.zeros((20, 30, 3), np.uint8)))
    assert results['img_view2'].shape == (16, 24, 3)
    np.testing.assert_allclose(results['view2_affine'],
                               [[-0.8, 0, 24], [0, 0.8, 0]])
    # never below one divisor: 0.5 * 5 / 8 rounds to 0 -> 8
    assert transform.view_size(5, 5, 0.5) == (8, 8)
    # a single-channel image keeps its channel axis
    gray = geometry_only(scale_range=(2, 2))(
        dict(img=np.zeros((3, 4, 1), np.uint8)))['img_view2']
    assert gray.shape == (6, 8, 1)


def test_scale_choices_override_the_range():
    transform = geometry_only(scale_range=(0.9, 1.1),
                              scale_choices=(0.5, 1.0, 2.0), size_divisor=2)
    np.random.seed(0)
    sizes, scales = {}, []
    for _ in range(300):
        results = transform(dict(img=np.zeros((8, 12, 3), np.uint8)))
        scales.append(results['view2_scale'])
        sizes[scales[-1]] = results['img_view2'].shape[:2]
    assert sizes == {0.5: (4, 6), 1.0: (8, 12), 2.0: (16, 24)}
    counts = [scales.count(s) for s in (0.5, 1.0, 2.0)]
    assert min(counts) >= 70 and sum(counts) == 300


@pytest.mark.parametrize('scale_mode', ['resize', 'zoom'])
def test_draws(scale_mode):
    transform = PairedViews(flip_prob=0.5, scale_range=(0.6, 1.4),
                            scale_mode=scale_mode)
    flips, scales = [], []
    np.random.seed(3)
    for _ in range(200):
        results = transform(dict(img=np.zeros((6, 10, 3), np.uint8)))
        flips.append(results['view2_flip'])
        scales.append(results['view2_scale'])
        if scale_mode == 'zoom':
            size = (6, 10)
            affine = PairedViews.affine_matrix(10, 6, scales[-1], flips[-1])
        else:
            size = tuple(int(np.floor(scales[-1] * n + 0.5)) for n in (6, 10))
            affine = PairedViews.resize_matrix(10, 6, size[1], size[0],
                                               flips[-1])
        assert results['img_view2'].shape == size + (3, )
        np.testing.assert_allclose(results['view2_affine'], affine)
    assert 70 <= sum(flips) <= 130
    assert 0.6 <= min(scales) < 0.7 and 1.3 < max(scales) <= 1.4


@pytest.mark.parametrize('kwargs', [
    dict(flip_prob=2.0), dict(scale_range=(0, 1)), dict(scale_range=(2, 1)),
    dict(interpolation='cubic'), dict(scale_choices=()),
    dict(scale_choices=(1.0, 0.0)), dict(scale_mode='crop'),
    dict(size_divisor=0), dict(size_divisor=2.5)
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


def view2_positions(affine, out_shape, img_shape):
    """View-2 continuous coordinates of the centres of an ``out_shape`` grid
    over the ``img_shape`` original, mapped by ``affine``."""
    (out_h, out_w), (img_h, img_w) = out_shape, img_shape
    ys, xs = np.mgrid[0:out_h, 0:out_w]
    x = (xs + 0.5) * img_w / out_w
    y = (ys + 0.5) * img_h / out_h
    return (affine[0, 0] * x + affine[0, 1] * y + affine[0, 2],
            affine[1, 0] * x + affine[1, 1] * y + affine[1, 2])


def seen_mask(affine, out_shape, img_shape, view_shape):
    """Output centres whose image lies in the view [0, W2] x [0, H2]."""
    vx, vy = view2_positions(affine, out_shape, img_shape)
    eps = 1e-9
    return ((vx >= -eps) & (vx <= view_shape[1] + eps) & (vy >= -eps)
            & (vy <= view_shape[0] + eps))


def warped_ramp(affine, out_shape, img_shape, view_shape, map_shape,
                coeffs=(0.7, -1.3, 5.0)):
    """What inverse_warp gives for a view-2 map sampling the ramp f of the
    original (``ramp_on_grid``): f at each output centre, except that view-2
    positions beyond the map's outer pixel centres are clamped to them
    (border padding replicates the edge)."""
    vx, vy = view2_positions(affine, out_shape, img_shape)
    half_x = 0.5 * view_shape[1] / map_shape[1]
    half_y = 0.5 * view_shape[0] / map_shape[0]
    vx = np.clip(vx, half_x, view_shape[1] - half_x)
    vy = np.clip(vy, half_y, view_shape[0] - half_y)
    back = inverse_of(affine)
    ox = back[0, 0] * vx + back[0, 1] * vy + back[0, 2]
    oy = back[1, 0] * vx + back[1, 1] * vy + back[1, 2]
    a, b, c = coeffs
    return a * ox + b * oy + c


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
    """A linear ramp warped forth (analytically) and back is the identity
    between the outer view-2 centres (bilinear sampling of a linear function
    is exact) and the clamped ramp beyond them; ``valid`` is the part of
    the original that view 2 shows."""
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
    shape = (height, width)
    for k, affine in enumerate(affines):
        mask = seen_mask(affine, shape, shape, shape)
        np.testing.assert_array_equal(valid[k, 0].numpy(), mask)
        assert mask.sum() >= 0.1 * mask.size
        expected = warped_ramp(affine, shape, shape, shape, shape)
        np.testing.assert_allclose(out[k, 0].numpy()[mask], expected[mask],
                                   atol=atol, rtol=0)
        if cases[k][0] <= 1:  # zoom out or flip: the whole original is seen
            assert mask.all()
        else:  # zoom in: the border of the original is not
            assert not mask[0].any() and not mask[:, -1].any()


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
    for k, a in enumerate((affine, sheared)):
        args = (a, (map_h, map_w), (img_h, img_w), (img_h, img_w))
        mask = seen_mask(*args)
        np.testing.assert_array_equal(valid[k, 0].numpy(), mask)
        assert 6 <= mask.sum() < mask.size
        np.testing.assert_allclose(out[k, 0].numpy()[mask],
                                   warped_ramp(*args, (map_h, map_w))[mask],
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


def test_inverse_warp_half_size_view_by_hand():
    # 'resize' by 0.5: an 8-px image, x' = x / 2, a 4-px view-2 map holding
    # 0, 4, 8, 12. Output centre i + 0.5 samples view-2 index 0.5 i - 0.25
    # (clamped to [0, 3]): 0, 1, 3, ..., 11, 12. Flipped: x' = 4 - x / 2.
    maps = torch.tensor([[[[0., 4, 8, 12]]]])
    expected = torch.tensor([0., 1, 3, 5, 7, 9, 11, 12])
    for flip in (False, True):
        affine = PairedViews.resize_matrix(8, 1, 4, 1, flip)
        out, valid = inverse_warp(maps, affine, (1, 8), view2_shape=(1, 4))
        torch.testing.assert_close(
            out[0, 0, 0], expected.flip(0) if flip else expected)
        assert valid.all()


@pytest.mark.parametrize('scale,flip', [(0.5, True), (0.75, False),
                                        (1.25, True), (2.0, False)])
def test_inverse_warp_resize_views(scale, flip):
    """Low-resolution maps (stride 4) of 'resize' views of every size come
    back onto the original's 6 x 8 map grid; the whole image is seen."""
    img_h, img_w, out_shape = 24, 32, (6, 8)
    transform = geometry_only(scale_choices=(scale, ), size_divisor=4)
    view_w, view_h = transform.view_size(img_w, img_h, scale)
    affine = PairedViews.resize_matrix(img_w, img_h, view_w, view_h, flip)
    map_shape = (view_h // 4, view_w // 4)
    view2 = ramp_on_grid(inverse_of(affine), *map_shape, view_h, view_w)
    out, valid = inverse_warp(torch.tensor(view2)[None, None], affine,
                              out_shape, img_shape=(img_h, img_w),
                              view2_shape=(view_h, view_w))
    assert valid.all()
    expected = warped_ramp(affine, out_shape, (img_h, img_w),
                           (view_h, view_w), map_shape)
    np.testing.assert_allclose(out[0, 0].numpy(), expected, atol=1e-9)
    if scale >= 1:  # view-2 centres enclose every output centre: no clamp
        np.testing.assert_allclose(
            expected, ramp_on_grid(np.eye(3)[:2], *out_shape, img_h, img_w),
            atol=1e-9)


@pytest.mark.parametrize('scale_mode', ['resize', 'zoom'])
def test_paired_views_image_warped_back(scale_mode):
    """PairedViews' OpenCV warp and inverse_warp agree: warping view 2 back
    recovers the original where view 2's pixel centres enclose it (OpenCV
    quantises sampling positions to 1/32 px, hence the tolerance on a slope
    of 10 per px)."""
    img = ramp_image(20, 24)
    for seed in range(6):
        np.random.seed(seed)
        results = geometry_only(flip_prob=0.5, scale_range=(0.7, 1.5),
                                scale_mode=scale_mode)(dict(img=img.copy()))
        view2 = torch.from_numpy(results['img_view2']).permute(2, 0, 1)
        view_shape = tuple(view2.shape[1:])
        affine = results['view2_affine']
        out, valid = inverse_warp(view2[None], affine, (20, 24),
                                  view2_shape=view_shape)
        back = out[0].permute(1, 2, 0).numpy()
        np.testing.assert_array_equal(
            valid[0, 0].numpy(), seen_mask(affine, (20, 24), (20, 24),
                                           view_shape))
        vx, vy = view2_positions(affine, (20, 24), (20, 24))
        mask = ((vx >= 0.5) & (vx <= view_shape[1] - 0.5) & (vy >= 0.5)
                & (vy <= view_shape[0] - 0.5))
        # the forward warp replicates the original's outer pixels (and
        # blends them with padding in 'zoom'): 1 px ('resize') or 2 px
        border = 2 if scale_mode == 'zoom' else 1
        mask[:border] = mask[-border:] = False
        mask[:, :border] = mask[:, -border:] = False
        if scale_mode == 'resize':
            assert valid.all()
        assert mask.sum() > 100
        np.testing.assert_allclose(back[mask], img[mask], atol=0.2)


def test_inverse_warp_bad_shapes():
    with pytest.raises(ValueError):
        inverse_warp(torch.zeros(1, 4, 4), np.eye(3)[:2], (4, 4))
    with pytest.raises(ValueError):
        inverse_warp(torch.zeros(2, 1, 4, 4), torch.zeros(3, 2, 3), (4, 4))
