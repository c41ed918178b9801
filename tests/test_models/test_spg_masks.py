"""SPG's self-produced masks and their BCE (wsolevaluation spg.py)."""
import math

import pytest
import torch

from wsol_mm.models.utils.spg_masks import (bce_over_labelled_pixels,
                                            self_produced_mask)


def _image(values_and_counts):
    """An 8x8 map holding each value the given number of times."""
    flat = torch.cat([torch.full((n, ), v) for v, n in values_and_counts])
    assert flat.numel() == 64
    return flat.view(8, 8)


def _counts(labels):
    return {int(v): int((labels == v).sum()) for v in (0, 1, 255)}


def test_foreground_above_high_background_below_low_ignored_between():
    maps = _image([(0.8, 40), (0.7, 4), (0.6, 16), (0.005, 4)])[None, None]
    labels = self_produced_mask(maps, high=0.7, low=0.01)
    assert labels.dtype == torch.uint8 and labels.shape == maps.shape
    # 0.7 itself is not foreground (strict >), 0.005 < 0.01 is background
    assert _counts(labels) == {0: 4, 1: 40, 255: 20}
    assert bool((labels[maps == 0.8] == 1).all())
    assert bool((labels[maps == 0.005] == 0).all())


def test_fewer_than_30_foreground_pixels_use_07_of_the_max():
    few = _image([(0.9, 10), (0.65, 25), (0.3, 29)])  # 0.65 > 0.7 * 0.9
    thirty = _image([(0.8, 30), (0.6, 34)])  # 30 is enough: no fallback
    twenty_nine = _image([(0.8, 29), (0.6, 35)])  # 0.6 > 0.56: fallback
    labels = self_produced_mask(torch.stack([few, thirty, twenty_nine]),
                                high=0.7, low=0.01)
    assert _counts(labels[0]) == {0: 0, 1: 35, 255: 29}
    assert _counts(labels[1]) == {0: 0, 1: 30, 255: 34}
    assert _counts(labels[2]) == {0: 0, 1: 64, 255: 0}


def test_background_wins_over_foreground():
    # the fallback makes 0.04 and 0.03 foreground (> 0.028), but every
    # pixel is below low = 0.05
    maps = _image([(0.04, 20), (0.03, 44)])[None]
    labels = self_produced_mask(maps, high=0.5, low=0.05)
    assert _counts(labels) == {0: 64, 1: 0, 255: 0}


def test_bad_ignore_index():
    with pytest.raises(ValueError, match='ignore_index'):
        self_produced_mask(torch.zeros(1, 4, 4), 0.7, 0.01, ignore_index=1)


def _bce(logit, label):
    p = 1 / (1 + math.exp(-logit))
    return -math.log(p) if label == 1 else -math.log(1 - p)


def test_bce_is_the_mean_over_labelled_pixels_of_the_batch():
    logits = torch.tensor([[0.5, -1.0, 2.0, 0.3], [1.5, -2.0, 0.0, 4.0]])
    labels = torch.tensor([[1, 0, 255, 1], [255, 255, 255, 0]],
                          dtype=torch.uint8)
    expected = (_bce(0.5, 1) + _bce(-1.0, 0) + _bce(0.3, 1) +
                _bce(4.0, 0)) / 4  # not the mean of per-image means
    loss = bce_over_labelled_pixels(logits, labels)
    assert abs(float(loss) - expected) < 1e-6


def test_bce_without_labelled_pixels_is_zero_with_a_graph():
    logits = torch.randn(1, 1, 3, 3, requires_grad=True)
    loss = bce_over_labelled_pixels(
        logits, torch.full((1, 1, 3, 3), 255, dtype=torch.uint8))
    assert float(loss.detach()) == 0
    loss.backward()
    assert float(logits.grad.abs().sum()) == 0


def test_bce_rejects_other_labels_and_shapes():
    with pytest.raises(ValueError, match=r'\[7\]'):
        bce_over_labelled_pixels(torch.zeros(2), torch.tensor([1, 7]))
    with pytest.raises(ValueError, match='shape'):
        bce_over_labelled_pixels(torch.zeros(2), torch.tensor([1, 0, 1]))
