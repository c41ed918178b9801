"""VSTLoss: SLT-Net's visual stimuli tolerance loss (Eq. 13)."""
import numpy as np
import pytest
import torch

from wsol_mm.datasets.transforms.paired_views import PairedViews
from wsol_mm.models.losses import VSTLoss
from wsol_mm.registry import MODELS

IDENTITY = np.array([[1., 0, 0], [0, 1, 0]])


def flip_affine(width):
    return np.array([[-1., 0, width], [0, 1, 0]])


def test_registered_with_the_paper_defaults():
    loss = MODELS.build(dict(type='VSTLoss'))
    assert isinstance(loss, VSTLoss)
    assert loss.loss_weight == 10.0 and loss.normalize is False


def test_identical_views_give_zero():
    maps = torch.randn(2, 3, 4, 5)
    loss = VSTLoss()(maps, maps.clone(), np.stack([IDENTITY] * 2), (4, 5),
                     [(4, 5)] * 2)
    assert float(loss) == 0.0


def flipped_with_perturbation():
    """View-2 maps = flipped maps + a known perturbation on 2 images of
    3 classes, 4 x 5 maps over a 4 x 5 input (20 positions)."""
    maps = torch.randn(2, 3, 4, 5, dtype=torch.float64)
    delta = torch.zeros_like(maps)
    delta[0, 1, 2, 3] = 2.0
    delta[1, 0, 0, 0] = -1.0
    delta[1, 2, 3, 4] = 3.0
    return maps, maps.flip(-1) + delta, delta


def test_flip_by_hand():
    maps, view2, _ = flipped_with_perturbation()
    affines = np.stack([flip_affine(5)] * 2)
    # image 0: 2^2 / 20 = 0.2; image 1: (1 + 9) / 20 = 0.5; mean 0.35
    loss = VSTLoss(loss_weight=1.0)(maps, view2, affines, (4, 5),
                                    [(4, 5)] * 2)
    assert float(loss) == pytest.approx(0.35, abs=1e-12)
    beta = VSTLoss()(maps, list(view2), torch.tensor(affines), (4, 5),
                     ((4, 5), (4, 5)))
    assert float(beta) == pytest.approx(3.5, abs=1e-11)


def test_gradients_reach_both_views():
    maps, view2, delta = flipped_with_perturbation()
    maps.requires_grad_(True)
    view2.requires_grad_(True)
    VSTLoss(loss_weight=2.0)(maps, view2, np.stack([flip_affine(5)] * 2),
                             (4, 5), [(4, 5)] * 2).backward()
    # d/dM^o of 2 * mean_b sum (M^o - flip(V))^2 / 20 with M^o - flip(V)
    # = -flip(delta): 2 * 2 * (-flip(delta)) / (20 * 2); the view gets the
    # opposite, flipped back.
    expected = -2 * 2 * delta.flip(-1) / (20 * 2)
    torch.testing.assert_close(maps.grad, expected)
    torch.testing.assert_close(view2.grad, -expected.flip(-1))
    assert maps.grad.abs().sum() > 0


def linear_maps(coeffs, size):
    """Channel k holds a_k x + b_k y at the pixel centres of a size x size
    map over a size x size image."""
    centres = torch.arange(size, dtype=torch.float64) + 0.5
    return torch.stack([a * centres[None] + b * centres[:, None]
                        for a, b in coeffs])


def test_half_scale_by_hand():
    """0.5x 'resize': an 8 x 8 input with 8 x 8 maps, its 4 x 4 view with
    4 x 4 maps made by 2 x 2 averaging (exact for linear maps: the value at
    the view-2 centre). Output centre i + 0.5 samples the view at x / 2,
    clamped to its outer centres 0.5 .. 3.5, i.e. the input's x clamped to
    1 .. 7: only the outer ring differs, by 0.5 a (or b) per step.
    Per class, sum of squares = 12 (a/2)^2 + 12 (b/2)^2 on the edges
    + (a^2 + b^2) / 2 * 2 at the corners = 4 (a^2 + b^2)."""
    coeffs = [(1.0, 2.0), (-3.0, 0.5)]
    maps = linear_maps(coeffs, 8)
    view2 = maps.reshape(2, 4, 2, 4, 2).mean((2, 4))
    torch.testing.assert_close(view2, 2 * linear_maps(coeffs, 4))
    # + 2 at view-2 cell (row 1, col 2) of class 0: its bilinear weights on
    # the output rows are 0.25, 0.75, 0.75, 0.25 (rows 1-4), likewise on
    # columns 3-6, all inside the ring: adds 4 * 1.25^2 = 6.25
    view2[0, 1, 2] += 2.0
    ring = 4 * (1 + 4) + 4 * (9 + 0.25)  # 57
    expected = (ring + 6.25) / 64
    affine = PairedViews.resize_matrix(8, 8, 4, 4, False)
    loss = VSTLoss(loss_weight=1.0)(maps[None], [view2], affine[None],
                                    (8, 8), [(4, 4)])
    assert float(loss) == pytest.approx(expected, abs=1e-12)
    # flipped view, plus an identical second image (mean over images)
    flipped = PairedViews.resize_matrix(8, 8, 4, 4, True)
    loss = VSTLoss(loss_weight=1.0)(
        torch.stack([maps, maps]), [view2.flip(-1), maps.clone()],
        np.stack([flipped, IDENTITY]), (8, 8), [(4, 4), (8, 8)])
    assert float(loss) == pytest.approx(expected / 2, abs=1e-12)


def test_maps_at_lower_resolution_than_their_images():
    # 2 x 2 maps of a 16 x 16 input and 4 x 4 maps of its 2x view (32 x 32)
    # made by nearest upsampling of constant blocks: every output centre
    # (4, 12) lands on view-2 position 8 or 24, i.e. between view-2 map
    # centres 4 and 12 (or 20 and 28): the mean of two equal cells.
    maps = torch.tensor([[[[1., 2], [3, 4]]]])
    view2 = maps.repeat_interleave(2, -1).repeat_interleave(2, -2)
    affine = PairedViews.resize_matrix(16, 16, 32, 32, False)[None]
    loss = VSTLoss(loss_weight=1.0)
    assert float(loss(maps, view2, affine, (16, 16), [(32, 32)])) == 0
    # output (0, 0) samples view-2 cells (0..1, 0..1) with weights 1 / 4
    view2[0, 0, 0, 1] += 4.0
    assert float(loss(maps, view2, affine, (16, 16),
                      [(32, 32)])) == pytest.approx(1**2 / 4)


def test_positions_outside_view2_are_excluded():
    """'zoom' by s = 2 on 4 x 4 maps: view 2 shows the centre 2 x 2 output
    positions only (see test_paired_views), the rest differs wildly but
    adds nothing. The warp of arange(16) there is [[2.5, 4.5], [10.5,
    12.5]]."""
    view2 = torch.arange(16.).reshape(1, 1, 4, 4)
    maps = torch.full((1, 1, 4, 4), 100.)
    maps[0, 0, 1:3, 1:3] = torch.tensor([[2.5 + 1, 4.5], [10.5, 12.5 - 2]])
    zoom = PairedViews.affine_matrix(4, 4, 2.0, False)[None]
    loss = VSTLoss(loss_weight=1.0)
    # (1 + 4) / 4 valid positions
    assert float(loss(maps, view2, zoom, (4, 4), [(4, 4)])) == 1.25
    # a second image that view 2 does not see at all adds 0 to the mean
    away = np.array([[1., 0, 100], [0, 1, 0]])
    both = loss(maps.repeat(2, 1, 1, 1), view2.repeat(2, 1, 1, 1),
                np.concatenate([zoom, away[None]]), (4, 4), [(4, 4)] * 2)
    assert float(both) == 0.625


def test_normalize_compares_min_max_normalised_maps():
    maps = torch.rand(2, 3, 4, 4, dtype=torch.float64)
    view2 = 3 * maps + 1  # same maps, up to a positive affine change
    args = (np.stack([IDENTITY] * 2), (4, 4), [(4, 4)] * 2)
    assert float(VSTLoss(normalize=True)(maps, view2, *args)) == \
        pytest.approx(0, abs=1e-12)
    raw = VSTLoss(loss_weight=1.0)(maps, view2, *args)
    expected = ((2 * maps + 1)**2).sum(1).mean((1, 2)).mean()
    assert float(raw) == pytest.approx(float(expected))


@pytest.mark.parametrize('view2,affines,shapes,match', [
    (torch.zeros(3, 2, 4, 4), np.zeros((2, 2, 3)), [(4, 4)] * 2, 'B=2'),
    ([torch.zeros(2, 4, 4)], np.zeros((2, 2, 3)), [(4, 4)] * 2, 'B=2'),
    (torch.zeros(2, 2, 4, 4), np.zeros((2, 2, 3)), [(4, 4)], 'B=2'),
    (torch.zeros(2, 3, 4, 4), np.zeros((2, 2, 3)), [(4, 4)] * 2, 'C=2'),
    (torch.zeros(2, 4, 4), np.zeros((2, 2, 3)), [(4, 4)] * 2, r'\(2, 4, 4\)'),
    (torch.zeros(2, 2, 4, 4), np.zeros((2, 3, 3)), [(4, 4)] * 2, 'affines'),
])
def test_mismatched_inputs(view2, affines, shapes, match):
    with pytest.raises(ValueError, match=match):
        VSTLoss()(torch.zeros(2, 2, 4, 4), view2, affines, (4, 4), shapes)
