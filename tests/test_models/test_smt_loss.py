"""SLT-Net's SMT loss (Eq. 8) against hand-computed values."""
import math

import pytest
import torch
import torch.nn.functional as F

from wsol_mm.models.losses import SMTLoss
from wsol_mm.registry import MODELS


def _ce(row, label):
    return -math.log(math.exp(row[label]) / sum(math.exp(v) for v in row))


def test_alpha_applies_exactly_when_the_gt_is_in_the_topk():
    logits = torch.tensor([[3., 2., 1., 0.],    # GT 1: rank 1 -> in top-2
                           [3., 2., 1., 0.],    # GT 2: rank 2 -> not
                           [0., 0., 5., 1.]])   # GT 2: rank 0 -> in
    target = torch.tensor([1, 2, 2])
    loss = SMTLoss(alpha=0.25, topk=2)(logits, target)
    rows = logits.tolist()
    expected = (0.25 * _ce(rows[0], 1) + _ce(rows[1], 2) +
                0.25 * _ce(rows[2], 2)) / 3
    assert float(loss) == pytest.approx(expected, rel=1e-6)


def test_a_tie_with_the_gt_does_not_push_it_out():
    logits = torch.tensor([[2., 2., 0.]])
    for label in (0, 1):
        loss = SMTLoss(alpha=0.5, topk=1)(logits, torch.tensor([label]))
        assert float(loss) == pytest.approx(0.5 * _ce([2., 2., 0.], label))


def test_k1_alpha1_is_cross_entropy_with_its_gradient():
    logits = torch.randn(6, 5, requires_grad=True)
    target = torch.tensor([0, 1, 2, 3, 4, 0])
    loss = SMTLoss(alpha=1.0, topk=1, loss_weight=1.0)(logits, target)
    reference = F.cross_entropy(logits, target)
    torch.testing.assert_close(loss, reference)
    grad, = torch.autograd.grad(loss, logits)
    expected, = torch.autograd.grad(reference, logits)
    torch.testing.assert_close(grad, expected)


def test_gradient_is_alpha_times_the_ce_gradient_and_weighted():
    logits = torch.tensor([[4., 0., 0.]], requires_grad=True)
    target = torch.tensor([0])
    loss = MODELS.build(dict(type='SMTLoss', alpha=0.4, topk=30,
                             loss_weight=2.0))(logits, target)
    grad, = torch.autograd.grad(loss, logits)
    ce_grad, = torch.autograd.grad(F.cross_entropy(logits, target), logits)
    torch.testing.assert_close(grad, 0.8 * ce_grad)


@pytest.mark.parametrize('kwargs', [dict(alpha=1.5), dict(alpha=-0.1),
                                    dict(topk=0), dict(topk=2.5)])
def test_bad_settings_are_refused(kwargs):
    with pytest.raises(ValueError):
        SMTLoss(**kwargs)


def test_soft_targets_are_refused_with_a_clear_error():
    with pytest.raises(ValueError, match='hard labels'):
        SMTLoss()(torch.zeros(2, 3), torch.zeros(2, 3))
