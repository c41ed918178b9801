"""SoftTargetDistillLoss: cross entropy against a detached teacher."""
import math

import pytest
import torch
from mmengine.registry import init_default_scope

from wsol_mm.registry import MODELS

STUDENT = [[1.0, 0.0, -1.0], [0.5, 2.0, 0.0]]
TEACHER = [[0.0, math.log(3), 0.0], [2.0, 2.0, 2.0]]


def _loss(**kwargs):
    init_default_scope('wsol_mm')
    return MODELS.build(dict(type='SoftTargetDistillLoss', **kwargs))


def _hand_loss(student, teacher):
    """-(1/B) sum_b sum_k p_teacher log q_student, in plain Python."""
    total = 0.0
    for s_row, t_row in zip(student, teacher):
        s_norm = math.log(sum(math.exp(v) for v in s_row))
        t_sum = sum(math.exp(v) for v in t_row)
        for s, t in zip(s_row, t_row):
            total -= math.exp(t) / t_sum * (s - s_norm)
    return total / len(student)


def test_value_matches_hand_computation():
    # teacher softmax: (0.2, 0.6, 0.2) and (1/3, 1/3, 1/3)
    student = torch.tensor(STUDENT, dtype=torch.float64)
    teacher = torch.tensor(TEACHER, dtype=torch.float64)
    hand = _hand_loss(STUDENT, TEACHER)
    lse0 = math.log(math.e + 1 + math.exp(-1))
    lse1 = math.log(math.exp(0.5) + math.exp(2) + 1)
    by_terms = ((0.2 * (lse0 - 1) + 0.6 * lse0 + 0.2 * (lse0 + 1)) +
                (lse1 - 0.5 + lse1 - 2 + lse1) / 3) / 2
    assert hand == pytest.approx(by_terms, rel=1e-12)
    assert float(_loss()(student, teacher)) == pytest.approx(hand, rel=1e-12)
    assert float(_loss(loss_weight=0.5)(student, teacher)) == pytest.approx(
        0.5 * hand, rel=1e-12)


def test_no_gradient_reaches_the_teacher():
    student = torch.tensor(STUDENT, dtype=torch.float64, requires_grad=True)
    teacher = torch.tensor(TEACHER, dtype=torch.float64, requires_grad=True)
    _loss()(student, teacher).backward()
    assert teacher.grad is None
    # d loss / d student = (softmax(student) - softmax(teacher)) / B
    expected = (student.detach().softmax(1) - teacher.detach().softmax(1)) / 2
    torch.testing.assert_close(student.grad, expected, rtol=1e-12,
                               atol=1e-12)
    # The same loss with a teacher that is not detached does reach it.
    shared = torch.tensor(STUDENT, dtype=torch.float64, requires_grad=True)
    undetached = -(shared.softmax(1) * shared.log_softmax(1)).sum(1).mean()
    undetached.backward()
    assert shared.grad.abs().sum() > 0
    shared.grad = None
    _loss()(shared, shared).backward()
    torch.testing.assert_close(  # only the student side: softmax - softmax
        shared.grad, torch.zeros_like(shared), rtol=0, atol=1e-12)


def test_shape_mismatch_is_named():
    with pytest.raises(ValueError, match=r'\(2, 3\).*\(2, 4\)'):
        _loss()(torch.zeros(2, 3), torch.zeros(2, 4))
