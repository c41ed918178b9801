"""SPOL's Gaussian prior pseudo label (Eq. 5-6) and Gaussian enhancement."""
import math

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

from wsol_mm.models.utils import (GaussianPriorEnhance, gaussian_prior_maps,
                                  weighted_moments)
from wsol_mm.models.utils.gaussian_prior import contour_regions
from wsol_mm.registry import MODELS


def _loop_moments(weights):
    """Weighted moments of one (H, W) map, pixel by pixel in float64."""
    weights = np.asarray(weights, dtype=np.float64)
    total = sx = sy = 0.0
    for y in range(weights.shape[0]):
        for x in range(weights.shape[1]):
            total += weights[y, x]
            sx += weights[y, x] * x
            sy += weights[y, x] * y
    mx, my = sx / total, sy / total
    vx = vy = cov = 0.0
    for y in range(weights.shape[0]):
        for x in range(weights.shape[1]):
            vx += weights[y, x] * (x - mx)**2
            vy += weights[y, x] * (y - my)**2
            cov += weights[y, x] * (x - mx) * (y - my)
    vx, vy, cov = vx / total, vy / total, cov / total
    return dict(mean_x=mx, mean_y=my, var_x=vx, var_y=vy,
                rho=cov / math.sqrt(vx * vy))


def _eq6_over_peak(height, width, m):
    """Eq. 6 with its normalising constant, divided by its peak value."""
    sx, sy, rho = math.sqrt(m['var_x']), math.sqrt(m['var_y']), m['rho']
    norm = 2 * math.pi * sx * sy * math.sqrt(1 - rho**2)
    out = np.zeros((height, width))
    for y in range(height):
        for x in range(width):
            dx, dy = x - m['mean_x'], y - m['mean_y']
            theta = (dx**2 / sx**2 - 2 * rho * dx * dy / (sx * sy) +
                     dy**2 / sy**2)
            out[y, x] = math.exp(-theta / (2 * (1 - rho**2))) / norm
    return out * norm


def test_weighted_moments_match_pixel_loop():
    rng = np.random.default_rng(0)
    weights = rng.random((3, 5, 7))
    weights[1, :, :3] = 0  # some pixels without weight
    weights[2] **= 4  # skewed weights
    moments = weighted_moments(torch.from_numpy(weights))
    for b in range(3):
        expected = _loop_moments(weights[b])
        for key, value in expected.items():
            assert moments[key].shape == (3, )
            assert float(moments[key][b]) == pytest.approx(value, rel=1e-9,
                                                           abs=1e-12)
    assert abs(float(moments['rho'][2])) > 0.01  # a real correlation


def test_float32_moments_agree_with_float64():
    rng = np.random.default_rng(1)
    weights = rng.random((2, 6, 4))
    low = weighted_moments(torch.from_numpy(weights).float())
    high = weighted_moments(torch.from_numpy(weights))
    for key in high:
        assert low[key].dtype == torch.float32
        np.testing.assert_allclose(low[key].numpy(), high[key].numpy(),
                                   rtol=1e-5, atol=1e-6)


def test_prior_of_a_rectangle_is_axis_aligned_at_its_centre():
    cams = torch.zeros(1, 10, 12, dtype=torch.float64)
    cams[0, 2:6, 3:9] = 0.9  # rows 2..5, columns 3..8
    moments = weighted_moments(torch.where(cams > 0.7, cams, 0 * cams))
    # Discrete uniform over n values: variance (n^2 - 1) / 12.
    hand = dict(mean_x=5.5, mean_y=3.5, var_x=35 / 12, var_y=15 / 12, rho=0)
    for key, value in hand.items():
        assert float(moments[key][0]) == pytest.approx(value, abs=1e-12)
    prior = gaussian_prior_maps(cams)
    expected = _eq6_over_peak(10, 12, hand)
    np.testing.assert_allclose(prior[0].numpy(), expected, rtol=1e-9)
    assert expected[3, 5] == pytest.approx(
        math.exp(-0.5 * (0.25 / (35 / 12) + 0.25 / 1.25)))


def test_prior_of_a_correlated_map_is_eq6_rescaled():
    rng = np.random.default_rng(2)
    cams = np.zeros((9, 11))
    for i in range(8):  # a noisy diagonal band: rho clearly positive
        cams[i, i:i + 3] = 0.75 + 0.25 * rng.random(3)
    cams[0, 10] = 0.5  # below the foreground threshold: no weight
    prior = gaussian_prior_maps(torch.from_numpy(cams)[None])
    weights = np.where(cams > 0.7, cams, 0)
    hand = _loop_moments(weights)
    assert hand['rho'] > 0.5
    np.testing.assert_allclose(prior[0].numpy(),
                               _eq6_over_peak(9, 11, hand), rtol=1e-9)


def test_only_values_above_the_threshold_weigh_and_variances_are_clamped():
    cams = torch.zeros(1, 4, 8, dtype=torch.float64)
    cams[0, 0, 0] = 0.7  # exactly at the threshold: not foreground
    cams[0, 2, 2] = 0.8
    cams[0, 2, 6] = 0.75
    cams[0, 3, 7] = 0.69
    mean_x = (2 * 0.8 + 6 * 0.75) / 1.55
    var_x = (0.8 * (2 - mean_x)**2 + 0.75 * (6 - mean_x)**2) / 1.55
    assert 3.9 < var_x < 4.1
    # One row only: var_y = 0 is clamped to min_var = 1 and rho is 0.
    hand = dict(mean_x=mean_x, mean_y=2.0, var_x=var_x, var_y=1.0, rho=0.0)
    np.testing.assert_allclose(
        gaussian_prior_maps(cams, fg_threshold=0.7)[0].numpy(),
        _eq6_over_peak(4, 8, hand), rtol=1e-9)
    # min_var also bounds a positive variance below it.
    clamped = dict(hand, var_x=5.0, var_y=5.0)
    np.testing.assert_allclose(
        gaussian_prior_maps(cams, min_var=5.0)[0].numpy(),
        _eq6_over_peak(4, 8, clamped), rtol=1e-9)


def test_perfect_correlation_is_clamped():
    cams = torch.eye(6, dtype=torch.float64)[None]
    eps = 1e-6
    prior = gaussian_prior_maps(cams, eps=eps)
    assert torch.isfinite(prior).all()
    hand = dict(mean_x=2.5, mean_y=2.5, var_x=35 / 12, var_y=35 / 12,
                rho=1 - eps)
    np.testing.assert_allclose(prior[0].numpy(), _eq6_over_peak(6, 6, hand),
                               rtol=1e-6, atol=1e-12)
    # On the diagonal Theta / (2 (1 - rho^2)) = dx^2 / (var (1 + rho)).
    assert float(prior[0, 0, 0]) == pytest.approx(
        math.exp(-2.5**2 / (35 / 12 * (2 - eps))), rel=1e-6)


def test_image_without_foreground_gets_zeros_and_batch_matches_single():
    torch.manual_seed(0)
    cams = torch.rand(3, 7, 9)
    cams[1] *= 0.7  # nothing above 0.7
    prior = gaussian_prior_maps(cams)
    assert prior.shape == cams.shape
    assert torch.equal(prior[1], torch.zeros(7, 9))
    for b in (0, 2):
        single = gaussian_prior_maps(cams[b:b + 1])[0]
        torch.testing.assert_close(prior[b], single, rtol=1e-6, atol=1e-7)
        assert float(prior[b].max()) <= 1.0
        assert float(prior[b].max()) > 0.9  # the peak lies near a pixel


def test_enhance_is_the_elementwise_maximum():
    init_default_scope('wsol_mm')
    enhance = MODELS.build(dict(type='GaussianPriorEnhance',
                                fg_threshold=0.6))
    assert isinstance(enhance, GaussianPriorEnhance)
    torch.manual_seed(1)
    cams = torch.rand(2, 6, 8)
    out = enhance(cams)
    prior = gaussian_prior_maps(cams, fg_threshold=0.6)
    assert out.shape == cams.shape and out.dtype == cams.dtype
    for b in range(2):
        for y in range(6):
            for x in range(8):
                assert float(out[b, y, x]) == max(float(cams[b, y, x]),
                                                  float(prior[b, y, x]))
    assert (out > cams).any()  # the prior does add something


@pytest.mark.parametrize('call,message', [
    (lambda: weighted_moments(torch.ones(4, 4)), 'weights must be'),
    (lambda: weighted_moments(-torch.ones(1, 2, 2)), 'non-negative'),
    (lambda: gaussian_prior_maps(torch.ones(2, 1, 4, 4)), 'cams must be'),
    (lambda: gaussian_prior_maps(torch.ones(1, 4, 4), min_var=0), 'min_var'),
    (lambda: gaussian_prior_maps(torch.ones(1, 4, 4), eps=1), 'eps'),
])
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# The official code's prior: weights = CAM values in [0.1, 0.5], one
# Gaussian per contour (area >= 20 px) of the weighted region, variances and
# covariance divided by 10, combined by the element-wise maximum.

OFFICIAL = dict(weight_range=(0.1, 0.5), per_contour=True, var_scale=0.1)


def _axis_gaussian(height, width, mean_x, mean_y, var_x, var_y):
    ys, xs = np.mgrid[0:height, 0:width]
    return np.exp(-0.5 * ((xs - mean_x)**2 / var_x +
                          (ys - mean_y)**2 / var_y))


def _two_blob_map():
    """Two rectangles of constant weight and distractors without weight."""
    cams = np.zeros((20, 24))
    cams[2:8, 3:10] = 0.5  # A: 6 rows x 7 columns, the upper bound kept
    cams[12:17, 12:20] = 0.1  # B: 5 rows x 8 columns, the lower bound kept
    cams[15:18, 1:4] = 0.3  # C: 3 x 3, contour area 4 < 20: dropped
    cams[0:3, 18:24] = 0.9  # above the range: no weight
    cams[9:11, 0:24] = 0.05  # below the range: no weight
    return cams


def test_per_contour_prior_of_two_blobs_hand_computed():
    prior = gaussian_prior_maps(torch.from_numpy(_two_blob_map())[None],
                                **OFFICIAL)[0].numpy()
    # Discrete uniform over n values: mean (first + last) / 2, variance
    # (n^2 - 1) / 12; then divided by 10. rho = 0 for rectangles.
    blob_a = _axis_gaussian(20, 24, mean_x=6, mean_y=4.5, var_x=48 / 120,
                            var_y=35 / 120)
    blob_b = _axis_gaussian(20, 24, mean_x=15.5, mean_y=14, var_x=63 / 120,
                            var_y=24 / 120)
    np.testing.assert_allclose(prior, np.maximum(blob_a, blob_b), rtol=1e-9,
                               atol=1e-300)
    assert prior[16, 2] < 1e-30  # the small blob C has no Gaussian
    # One Gaussian over all the weights (the paper's rule) is another map.
    single = gaussian_prior_maps(torch.from_numpy(_two_blob_map())[None],
                                 weight_range=(0.1, 0.5))[0].numpy()
    assert np.abs(single - prior).max() > 0.5


def test_per_contour_regions_are_filled_contours_holes_included():
    """A ring of weight around a core without weight (above the range) that
    holds an island of weight: RETR_TREE gives the ring's outer contour,
    its hole and the island; each is filled."""
    cams = np.zeros((24, 24))
    cams[2:21, 2:21] = 0.3  # the ring (after the core is cut out)
    cams[5:18, 5:18] = 0.8  # core: no weight
    cams[9:16, 8:15] = 0.2  # island, off-centre: rows 9-15, columns 8-14
    regions = contour_regions(
        (cams >= 0.1) & (cams <= 0.5), min_area=20)
    assert len(regions) == 3
    by_size = sorted(regions, key=lambda r: int(r.sum()))
    island, hole, outer = by_size
    block = np.zeros((24, 24), bool)
    block[2:21, 2:21] = True
    np.testing.assert_array_equal(outer, block)  # filled: core and island
    expected_island = np.zeros((24, 24), bool)
    expected_island[9:16, 8:15] = True
    np.testing.assert_array_equal(island, expected_island)
    core = np.zeros((24, 24), bool)
    core[5:18, 5:18] = True
    assert (hole >= core).all() and (hole <= block).all()
    # The outer Gaussian is weighted by the ring and the island together.
    prior = gaussian_prior_maps(torch.from_numpy(cams)[None],
                                **OFFICIAL)[0].numpy()
    weights = np.where(block & ((cams <= 0.5)), cams, 0)
    hand = _loop_moments(weights)
    assert hand['rho'] == pytest.approx(0, abs=1e-12)
    outer_gaussian = _axis_gaussian(24, 24, hand['mean_x'], hand['mean_y'],
                                    hand['var_x'] / 10, hand['var_y'] / 10)
    assert (prior >= outer_gaussian - 1e-12).all()
    island_gaussian = _axis_gaussian(24, 24, 11, 12, 4 / 10, 4 / 10)
    assert (prior >= island_gaussian - 1e-12).all()


def test_per_contour_without_contours_gives_zeros_and_min_area_counts():
    cams = torch.zeros(2, 12, 12, dtype=torch.float64)
    cams[0, 2:5, 2:5] = 0.3  # contour area 4
    cams[1, 2:9, 2:7] = 0.3  # contour area 6 * 4 = 24
    prior = gaussian_prior_maps(cams, **OFFICIAL)
    assert float(prior[0].abs().max()) == 0
    assert float(prior[1].max()) == pytest.approx(1.0, abs=0.05)
    relaxed = gaussian_prior_maps(cams, min_contour_area=4, **OFFICIAL)
    assert float(relaxed[0].max()) > 0.9
    assert float(gaussian_prior_maps(cams, min_contour_area=25,
                                     **OFFICIAL)[1].max()) == 0


def test_var_scale_keeps_rho():
    rng = np.random.default_rng(4)
    cams = np.zeros((9, 11))
    for i in range(8):
        cams[i, i:i + 3] = 0.75 + 0.25 * rng.random(3)
    hand = _loop_moments(np.where(cams > 0.7, cams, 0))
    scaled = dict(hand, var_x=hand['var_x'] / 10, var_y=hand['var_y'] / 10)
    np.testing.assert_allclose(
        gaussian_prior_maps(torch.from_numpy(cams)[None],
                            var_scale=0.1)[0].numpy(),
        _eq6_over_peak(9, 11, scaled), rtol=1e-9)


def test_enhance_official_options_and_prior():
    init_default_scope('wsol_mm')
    enhance = MODELS.build(dict(type='GaussianPriorEnhance', **OFFICIAL))
    cams = torch.from_numpy(_two_blob_map())[None].float()
    prior = enhance.prior(cams)
    torch.testing.assert_close(
        prior, gaussian_prior_maps(cams, **OFFICIAL).float())
    torch.testing.assert_close(enhance(cams), torch.maximum(cams, prior))
    assert 'per_contour=True' in repr(enhance)
    with pytest.raises(ValueError, match='weight_range'):
        GaussianPriorEnhance(weight_range=(0.5, 0.1))
    with pytest.raises(ValueError, match='var_scale'):
        GaussianPriorEnhance(var_scale=0)
