"""ICFSLoss against a direct triple loop over Eq. 5 of ISIC."""
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

from wsol_mm.registry import MODELS


def _loss(similar, loss_weight=1.0):
    init_default_scope('wsol_mm')
    loss = MODELS.build(dict(type='ICFSLoss', loss_weight=loss_weight))
    loss.set_similar_classes(similar)
    return loss


def _eq5(features, labels, similar):
    """Eq. 5 by loops: classes i of the batch with a similar class j (j != i)
    in the batch; U_i averages over those j the mean over sample pairs."""
    features, labels = features.tolist(), labels.tolist()
    present = sorted(set(labels))
    upper_bounds = []
    for i in present:
        others = [j for j in present if j != i and similar[i][j]]
        if not others:
            continue
        total = 0.0
        for j in others:
            pair_sum, pairs = 0.0, 0
            for xp, lp in zip(features, labels):
                for xq, lq in zip(features, labels):
                    if lp == i and lq == j:
                        pair_sum += sum((a - b)**2 for a, b in zip(xp, xq))
                        pairs += 1
            total += pair_sum / pairs
        upper_bounds.append(total / len(others))
    return sum(upper_bounds) / len(upper_bounds) if upper_bounds else 0.0


FEATURES = torch.tensor([[1.0, 0.0, 2.0], [0.5, 1.0, 1.5], [3.0, -1.0, 0.0],
                         [2.0, 2.0, 1.0], [-1.0, 0.5, 0.5]],
                        dtype=torch.float64)
LABELS = torch.tensor([0, 2, 1, 0, 2])


def test_matches_the_triple_loop_of_eq5():
    # 0 ~ 1 and 0 ~ 2 (symmetric), 1 and 2 not similar; the diagonal set
    # to True must be ignored (a class is not its own similar category).
    similar = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0]], dtype=bool)
    expected = _eq5(FEATURES, LABELS, similar & ~np.eye(3, dtype=bool))
    value = _loss(similar, loss_weight=0.5)(FEATURES, LABELS)
    assert value.dim() == 0
    assert float(value) == pytest.approx(0.5 * expected, rel=1e-12)
    assert expected > 0


def test_asymmetric_similar_sets_count_for_the_anchor_only():
    # 1 is similar to 0 but 0 not to 1; 2 is similar to nobody.
    similar = torch.zeros(3, 3, dtype=torch.bool)
    similar[1, 0] = True
    value = _loss(similar)(FEATURES, LABELS)
    one_pair = _eq5(FEATURES, LABELS, similar.numpy())
    assert float(value) == pytest.approx(one_pair, rel=1e-12)
    # mean_{p,q} ||x_1^p - x_0^q||^2 with class 1 = {x2}, class 0 = {x0, x3}
    x0, x2, x3 = FEATURES[0], FEATURES[2], FEATURES[3]
    by_hand = (float(((x2 - x0)**2).sum()) + float(((x2 - x3)**2).sum())) / 2
    assert float(value) == pytest.approx(by_hand, rel=1e-12)
    similar[0, 1] = True  # now both anchors: mean of two equal U_i
    assert float(_loss(similar)(FEATURES, LABELS)) == pytest.approx(
        by_hand, rel=1e-12)


def test_more_classes_than_the_batch_holds():
    rng = np.random.default_rng(0)
    similar = rng.random((6, 6)) > 0.5
    features = torch.from_numpy(rng.normal(size=(9, 4)))
    labels = torch.tensor([5, 1, 1, 3, 5, 5, 0, 3, 1])
    expected = _eq5(features, labels, similar & ~np.eye(6, dtype=bool))
    assert expected > 0
    assert float(_loss(similar)(features, labels)) == pytest.approx(
        expected, rel=1e-10)


def test_zero_without_similar_pair_in_the_batch_and_backward_works():
    similar = torch.zeros(4, 4, dtype=torch.bool)
    similar[0, 3] = True  # class 3 is not in the batch
    features = FEATURES.clone().requires_grad_()
    value = _loss(similar)(features, LABELS)
    assert value.item() == 0.0
    value.backward()
    assert torch.equal(features.grad, torch.zeros_like(features))


def test_gradient_pulls_similar_classes_together_only():
    similar = torch.zeros(3, 3, dtype=torch.bool)
    similar[0, 2] = True  # classes 0 and 2; class 1 is in no pair
    features = FEATURES.clone().requires_grad_()
    loss = _loss(similar)
    value = loss(features, LABELS)
    value.backward()
    assert torch.equal(features.grad[2], torch.zeros(3, dtype=torch.float64))
    assert (features.grad[[0, 1, 3, 4]].abs().sum(1) > 0).all()

    def class_distance(x):
        mean0 = x[LABELS == 0].mean(0)
        mean2 = x[LABELS == 2].mean(0)
        return float(((mean0 - mean2)**2).sum())

    stepped = (features - 0.05 * features.grad).detach()
    assert class_distance(stepped) < class_distance(FEATURES)
    assert float(loss(stepped, LABELS)) < value.item()
    assert torch.equal(stepped[2], FEATURES[2])


def test_errors():
    init_default_scope('wsol_mm')
    loss = MODELS.build(dict(type='ICFSLoss'))
    with pytest.raises(RuntimeError, match='ClassSimilarityHook'):
        loss(FEATURES, LABELS)
    loss.set_similar_classes(torch.ones(2, 2, dtype=torch.bool))
    with pytest.raises(ValueError, match='K = 2'):
        loss(FEATURES, LABELS)
    with pytest.raises(ValueError, match='square'):
        loss.set_similar_classes(torch.ones(2, 3, dtype=torch.bool))
    with pytest.raises(ValueError, match='bools'):
        loss.set_similar_classes(torch.full((2, 2), 0.5))
    loss.set_similar_classes(torch.ones(3, 3))  # 0/1 floats are accepted
    with pytest.raises(ValueError, match='labels must be'):
        loss(FEATURES, LABELS[:4])
