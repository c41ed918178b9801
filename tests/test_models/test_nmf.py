"""Rank-1 NMF against scikit-learn, and the NMF masks of ISIC (3.5)."""
import numpy as np
import pytest
import torch
from sklearn.decomposition import NMF

from wsol_mm.models.utils import nmf_masks, nmf_rank1


@pytest.mark.filterwarnings('ignore::sklearn.exceptions.ConvergenceWarning')
@pytest.mark.parametrize('power', [1, 4])
def test_rank1_matches_sklearn(power):
    # power 4: a skewed matrix whose leading singular value dominates less
    matrix = np.random.default_rng(0).random((300, 20))**power
    theta1, theta2 = nmf_rank1(torch.from_numpy(matrix), num_iters=1000,
                               tol=1e-12)
    assert theta1.shape == (300, ) and theta2.shape == (20, )
    assert (theta1 >= 0).all() and (theta2 >= 0).all()
    assert float(theta2.norm()) == pytest.approx(1, abs=1e-12)
    reference = NMF(n_components=1, init='nndsvda', max_iter=1000,
                    tol=1e-10).fit(matrix)
    component = reference.components_[0]
    cosine = component @ theta2.numpy() / np.linalg.norm(component)
    assert cosine > 0.9999
    error = np.linalg.norm(matrix - np.outer(theta1, theta2))
    assert error == pytest.approx(reference.reconstruction_err_, rel=1e-4)
    # theta1 is the least-squares optimum for the unit theta2
    np.testing.assert_allclose(theta1.numpy(), matrix @ theta2.numpy(),
                               rtol=1e-12)


def test_exact_rank1_is_recovered_and_deterministic():
    rng = np.random.default_rng(1)
    left, right = rng.random(50) + 0.1, rng.random(8)
    matrix = torch.from_numpy(np.outer(left, right))
    theta1, theta2 = nmf_rank1(matrix)
    np.testing.assert_allclose(theta2.numpy(), right / np.linalg.norm(right),
                               rtol=1e-10)
    np.testing.assert_allclose(torch.outer(theta1, theta2).numpy(),
                               matrix.numpy(), rtol=1e-10)
    again = nmf_rank1(matrix)
    assert torch.equal(again[0], theta1) and torch.equal(again[1], theta2)


def test_masks_project_features_on_theta2_of_the_pixel_matrix():
    rng = np.random.default_rng(2)
    features = torch.from_numpy(rng.random((3, 5, 4, 6))**3).float()
    # Theta by loops: one row per pixel (t, h, w), in that order
    rows = [features[t, :, h, w] for t in range(3) for h in range(4)
            for w in range(6)]
    theta = torch.stack(rows)
    _, theta2 = nmf_rank1(theta)
    masks = nmf_masks(features)
    assert masks.shape == (3, 4, 6) and masks.dtype == torch.float32
    torch.testing.assert_close(
        masks, torch.einsum('tnhw,n->thw', features, theta2), rtol=1e-5,
        atol=1e-6)
    # rows in another order (e.g. (t, w, h)) would misplace mask values
    assert float(masks[2, 1, 5]) == pytest.approx(
        float(features[2, :, 1, 5] @ theta2), rel=1e-5)
    assert torch.equal(nmf_masks(features), masks)


def test_all_zero_features_give_zero_masks():
    masks = nmf_masks(torch.zeros(2, 3, 4, 4))
    assert torch.equal(masks, torch.zeros(2, 4, 4))
    _, theta2 = nmf_rank1(torch.zeros(5, 4))
    torch.testing.assert_close(theta2, torch.full((4, ), 0.5))


def test_errors():
    with pytest.raises(ValueError, match='-0.5'):
        nmf_rank1(torch.tensor([[1.0, -0.5], [0.0, 2.0]]))
    with pytest.raises(ValueError, match=r'\(T, N, H, W\)'):
        nmf_masks(torch.rand(4, 4, 4))
    with pytest.raises(ValueError, match='T = 0'):
        nmf_masks(torch.rand(0, 4, 4, 4))
    with pytest.raises(ValueError, match=r'\(M, N\)'):
        nmf_rank1(torch.rand(4))
    with pytest.raises(ValueError, match='floats'):
        nmf_rank1(torch.ones(3, 3, dtype=torch.int64))
    with pytest.raises(ValueError, match='num_iters'):
        nmf_rank1(torch.rand(3, 3), num_iters=0)


def test_masks_of_a_class_of_resnet50_sized_features():
    """30 images of 2048 x 28 x 28 float32 features (0.1 s on 2 CPU cores)."""
    generator = torch.Generator().manual_seed(0)
    features = torch.rand(30, 2048, 28, 28, generator=generator)
    masks = nmf_masks(features)
    assert masks.shape == (30, 28, 28) and masks.dtype == torch.float32
    assert (masks >= 0).all()
