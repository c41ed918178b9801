"""normalize_score_maps (per-map min-max) and resize_score_maps (bicubic)."""
import math

import pytest
import torch
import torch.nn.functional as F

from wsol_mm.models.utils import normalize_score_maps, resize_score_maps


def _check_min_max(maps, out):
    """Every (H, W) map of ``out`` is the elementwise min-max of ``maps``."""
    flat_in = maps.reshape(-1, *maps.shape[-2:])
    flat_out = out.reshape(-1, *out.shape[-2:])
    for m_in, m_out in zip(flat_in, flat_out):
        low, high = float(m_in.min()), float(m_in.max())
        for i in range(m_in.shape[0]):
            for j in range(m_in.shape[1]):
                expected = (float(m_in[i, j]) - low) / (high - low)
                assert float(m_out[i, j]) == pytest.approx(expected,
                                                           abs=1e-6)
        assert float(m_out.min()) == pytest.approx(0.0, abs=1e-7)
        assert float(m_out.max()) == pytest.approx(1.0, abs=1e-6)


def test_single_map_hand_values():
    maps = torch.tensor([[2.0, 4.0], [6.0, 10.0]])
    out = normalize_score_maps(maps)
    assert out.shape == maps.shape
    torch.testing.assert_close(out, torch.tensor([[0.0, 0.25], [0.5, 1.0]]))


def test_batched_maps_are_normalized_independently():
    torch.manual_seed(0)
    maps = torch.randn(2, 3, 5, 4) * torch.tensor([1., 10., 0.1])[:, None,
                                                                   None]
    maps[1, 2] += 100.0
    out = normalize_score_maps(maps)
    assert out.shape == maps.shape
    _check_min_max(maps, out)


def test_nan_and_constant_maps_become_zeros():
    torch.manual_seed(1)
    maps = torch.randn(3, 4, 4)
    maps[0, 1, 2] = math.nan
    maps[1] = 7.5
    out = normalize_score_maps(maps)
    assert torch.equal(out[0], torch.zeros(4, 4))
    assert torch.equal(out[1], torch.zeros(4, 4))
    assert not torch.isnan(out).any()
    _check_min_max(maps[2:], out[2:])


def test_constant_map_in_batch_does_not_disturb_others():
    maps = torch.stack([torch.zeros(3, 3), torch.arange(9.).view(3, 3)])
    out = normalize_score_maps(maps[None])[0]
    assert torch.equal(out[0], torch.zeros(3, 3))
    torch.testing.assert_close(out[1], torch.arange(9.).view(3, 3) / 8)


def test_resize_same_size_is_a_no_op():
    maps = torch.randn(2, 3, 7, 5)
    out = resize_score_maps(maps, (7, 5))
    assert torch.equal(out, maps)
    assert torch.equal(resize_score_maps(maps, torch.Size([7, 5])), maps)


@pytest.mark.parametrize('size', [(14, 10), (32, 32), (3, 4)])
def test_resize_is_bicubic_without_align_corners(size):
    torch.manual_seed(2)
    maps = torch.randn(2, 3, 7, 5)
    out = resize_score_maps(maps, size)
    assert out.shape == (2, 3, *size)
    expected = F.interpolate(maps, size=size, mode='bicubic',
                             align_corners=False)
    torch.testing.assert_close(out, expected)
    # Not some other interpolation: bilinear differs on random maps.
    bilinear = F.interpolate(maps, size=size, mode='bilinear',
                             align_corners=False)
    assert not torch.allclose(out, bilinear)
