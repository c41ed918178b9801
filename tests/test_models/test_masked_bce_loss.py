"""MaskedBCELoss: Eq. 7 of SPOL, with ignored pixels weighted 0."""
import math

import pytest
import torch
from mmengine.registry import init_default_scope

from wsol_mm.models.losses import MaskedBCELoss
from wsol_mm.registry import MODELS

LOGITS = [[[0.5, -1.0, 2.0], [0.0, 3.0, -0.25]],
          [[-2.0, 1.5, 0.75], [4.0, -3.0, 1.0]]]
TARGET = [[[1, 0, 255], [0, 1, 1]],
          [[255, 255, 0], [255, 1, 255]]]


def _hand_loss(logits, target, loss_weight=1.0):
    """Eq. 7 in plain Python: per image sum over labelled pixels / (H W),
    then the batch mean."""
    per_image = []
    for img_logits, img_target in zip(logits, target):
        total, count = 0.0, 0
        for row_logits, row_target in zip(img_logits, img_target):
            for z, g in zip(row_logits, row_target):
                count += 1
                if g == 255:
                    continue
                p = 1 / (1 + math.exp(-z))
                total -= g * math.log(p) + (1 - g) * math.log(1 - p)
        per_image.append(total / count)
    return loss_weight * sum(per_image) / len(per_image)


def _tensors(requires_grad=False):
    logits = torch.tensor(LOGITS, dtype=torch.float64,
                          requires_grad=requires_grad)
    return logits, torch.tensor(TARGET, dtype=torch.uint8)


def test_matches_hand_computation():
    logits, target = _tensors()
    loss = MaskedBCELoss()(logits, target)
    assert loss.shape == ()
    assert float(loss) == pytest.approx(_hand_loss(LOGITS, TARGET), rel=1e-12)


def test_loss_weight_and_channel_dimension():
    logits, target = _tensors()
    loss = MaskedBCELoss(loss_weight=2.5)(logits[:, None], target)
    assert float(loss) == pytest.approx(_hand_loss(LOGITS, TARGET, 2.5),
                                        rel=1e-12)


def test_built_from_registry_with_custom_ignore_index():
    init_default_scope('wsol_mm')
    loss_module = MODELS.build(dict(type='MaskedBCELoss', ignore_index=7))
    logits, target = _tensors()
    target[target == 255] = 7
    assert float(loss_module(logits, target)) == pytest.approx(
        _hand_loss(LOGITS, TARGET), rel=1e-12)


def test_ignored_pixels_get_exactly_zero_gradient():
    logits, target = _tensors(requires_grad=True)
    MaskedBCELoss()(logits, target).backward()
    ignored = target == 255
    assert torch.equal(logits.grad[ignored],
                       torch.zeros(int(ignored.sum()), dtype=torch.float64))
    # d/dz of the BCE is sigmoid(z) - g, divided by H W and the batch size.
    labelled = ~ignored
    expected = (torch.sigmoid(logits.detach()) - target.double()) / (6 * 2)
    torch.testing.assert_close(logits.grad[labelled], expected[labelled])
    assert (logits.grad[labelled] != 0).all()


def test_logits_at_ignored_pixels_do_not_matter():
    logits, target = _tensors()
    changed = logits.clone()
    changed[target == 255] = torch.tensor(
        [1e4, -1e4, float('inf'), -7.0, 0.0], dtype=torch.float64)
    loss_module = MaskedBCELoss()
    assert float(loss_module(changed, target)) == float(
        loss_module(logits, target))


def test_divides_by_all_pixels_not_the_labelled_ones():
    logits = torch.tensor([[[2.0, 0.0], [0.0, 0.0]]])
    target = torch.tensor([[[0, 255], [255, 255]]], dtype=torch.uint8)
    expected = -math.log(1 - 1 / (1 + math.exp(-2.0))) / 4
    assert float(MaskedBCELoss()(logits, target)) == pytest.approx(expected,
                                                                   rel=1e-6)


def test_bad_target_values_are_named():
    logits, target = _tensors()
    target[0, 0, 0] = 2
    target[1, 1, 1] = 9
    with pytest.raises(ValueError, match=r'\[2, 9\]'):
        MaskedBCELoss()(logits, target)


@pytest.mark.parametrize('logits_shape', [(2, 2, 2), (2, 2, 2, 3),
                                          (2, 3, 2, 3)])
def test_shape_mismatch_is_named(logits_shape):
    _, target = _tensors()
    with pytest.raises(ValueError, match=r'\(2, 2, 3\)'):
        MaskedBCELoss()(torch.zeros(logits_shape), target)


def test_ignore_index_must_not_be_a_label():
    with pytest.raises(ValueError, match='ignore_index'):
        MaskedBCELoss(ignore_index=1)
