"""Tests of PxAP (pixel average precision)."""
import numpy as np
import pytest

from wsol_mm.evaluation.functional import (mask_score_histograms, pxap,
                                           pxap_from_histograms)


def _slow_pxap(scoremaps, masks, thresholds):
    """Plain re-implementation: precision/recall at each bin edge."""
    edges = list(thresholds) + [1.0, 2.0, 3.0]
    num_bins = len(edges) - 1
    pos = [0.0] * num_bins
    neg = [0.0] * num_bins
    for scoremap, mask in zip(scoremaps, masks):
        for score, label in zip(scoremap.ravel(), mask.ravel()):
            if label not in (0, 1):
                continue
            for b in range(num_bins):
                last = b == num_bins - 1
                if edges[b] <= score < edges[b + 1] or (
                        last and score == edges[b + 1]):
                    (pos if label == 1 else neg)[b] += 1
                    break
    total_pos = sum(pos)
    assert total_pos > 0
    auc = 0.0
    prev_recall = None
    # Walk the bins from the highest score down: k = number of top bins.
    for k in range(1, num_bins + 1):
        tp = sum(pos[num_bins - k:])
        fp = sum(neg[num_bins - k:])
        recall = tp / total_pos
        if prev_recall is not None and tp + fp > 0:
            auc += tp / (tp + fp) * (recall - prev_recall)
        prev_recall = recall
    return auc * 100


def test_hand_computed_two_thresholds():
    # thresholds [0, 0.5] -> bins [0, .5), [.5, 1), [1, 2), [2, 3].
    cam = np.array([[0.9, 0.6], [0.4, 0.1]])
    # Foreground 0.9 and 0.4, background 0.6 and 0.1:
    # true hist [1, 1, 0, 0], false hist [1, 1, 0, 0]; from the top:
    # tp [0, 0, 1, 2], fp [0, 0, 1, 2], fn [2, 2, 1, 0]; precision
    # [-, -, .5, .5], recall [0, 0, .5, 1]; the first two points have no
    # prediction (tp + fp = 0) and are skipped:
    # AP = .5 * (.5 - 0) + .5 * (1 - .5) = .5 -> 50 %.
    mask = np.array([[1, 0], [1, 0]], dtype=np.uint8)
    true_hist, false_hist = mask_score_histograms(cam, mask, [0, 0.5])
    assert true_hist.tolist() == [1, 1, 0, 0]
    assert false_hist.tolist() == [1, 1, 0, 0]
    assert pxap([cam], [mask], [0, 0.5]) == pytest.approx(50.0, abs=1e-9)
    # Foreground 0.9 and 0.6 -> perfectly separated at 0.5: 100 %.
    mask = np.array([[1, 1], [0, 0]], dtype=np.uint8)
    assert pxap([cam], [mask], [0, 0.5]) == pytest.approx(100.0, abs=1e-9)


def test_hand_computed_three_thresholds():
    # thresholds [0, .3, .7] -> bins [0,.3), [.3,.7), [.7,1), [1,2), [2,3].
    # Foreground 0.9, 0.2, 0.8 -> true hist [1, 0, 2, 0, 0];
    # background 0.5 -> false hist [0, 1, 0, 0, 0].
    # From the top: tp [0, 0, 2, 2, 3], fp [0, 0, 0, 1, 1];
    # precision [-, -, 1, 2/3, 3/4], recall [0, 0, 2/3, 2/3, 1]:
    # AP = 1 * 2/3 + 2/3 * 0 + 3/4 * 1/3 = 11/12.
    cam = np.array([[0.9, 0.5], [0.2, 0.8]])
    mask = np.array([[1, 0], [1, 1]], dtype=np.uint8)
    thresholds = [0, 0.3, 0.7]
    true_hist, false_hist = mask_score_histograms(cam, mask, thresholds)
    assert true_hist.tolist() == [1, 0, 2, 0, 0]
    assert false_hist.tolist() == [0, 1, 0, 0, 0]
    assert pxap([cam], [mask], thresholds) == pytest.approx(
        1100 / 12, abs=1e-9)
    assert pxap_from_histograms(true_hist, false_hist) == pytest.approx(
        1100 / 12, abs=1e-9)


def test_score_one_and_histogram_sum_over_images():
    # A score of exactly 1.0 falls in the [1, 2) bin (above every threshold).
    cam = np.array([[1.0, 0.0]])
    mask = np.array([[1, 0]], dtype=np.uint8)
    true_hist, false_hist = mask_score_histograms(cam, mask, [0, 0.5])
    assert true_hist.tolist() == [0, 0, 1, 0]
    assert false_hist.tolist() == [1, 0, 0, 0]
    # Two images are pooled pixel-wise, not averaged per image.
    cam_b = np.array([[0.6, 0.7]])
    mask_b = np.array([[0, 1]], dtype=np.uint8)
    pooled = pxap([cam, cam_b], [mask, mask_b], [0, 0.5])
    t_a, f_a = mask_score_histograms(cam, mask, [0, 0.5])
    t_b, f_b = mask_score_histograms(cam_b, mask_b, [0, 0.5])
    assert pooled == pxap_from_histograms(t_a + t_b, f_a + f_b)
    assert pooled == pytest.approx(
        _slow_pxap([cam, cam_b], [mask, mask_b], [0, 0.5]), abs=1e-9)


def test_ignored_pixels_are_ignored():
    cam = np.array([[0.9, 0.5, 0.95, 0.0], [0.2, 0.8, 0.99, 0.05]])
    mask = np.array([[1, 0, 255, 255], [1, 1, 255, 255]], dtype=np.uint8)
    with_ignored = pxap([cam], [mask], [0, 0.3, 0.7])
    # Same as the 2 x 2 case above without the ignored column pair.
    assert with_ignored == pytest.approx(1100 / 12, abs=1e-9)
    true_hist, false_hist = mask_score_histograms(cam, mask, [0, 0.3, 0.7])
    assert true_hist.sum() == 3 and false_hist.sum() == 1
    # Counting them as background or foreground would change the result.
    as_background = np.where(mask == 255, 0, mask).astype(np.uint8)
    assert pxap([cam], [as_background], [0, 0.3, 0.7]) != pytest.approx(
        with_ignored)
    as_foreground = np.where(mask == 255, 1, mask).astype(np.uint8)
    assert pxap([cam], [as_foreground], [0, 0.3, 0.7]) != pytest.approx(
        with_ignored)


def test_no_positive_raises():
    cam = np.array([[0.9, 0.1]])
    mask = np.array([[0, 255]], dtype=np.uint8)
    with pytest.raises(ValueError, match='no positive ground truth'):
        pxap([cam], [mask], [0, 0.5])
    with pytest.raises(RuntimeError):
        pxap_from_histograms(np.zeros(4), np.ones(4))


def test_invalid_inputs_name_the_image():
    cam = np.array([[0.9, 0.1]])
    mask = np.array([[1, 0]], dtype=np.uint8)
    with pytest.raises(ValueError, match='score map 1'):
        pxap([cam, cam * 2], [mask, mask], [0, 0.5])
    with pytest.raises(ValueError, match='image 1'):
        pxap([cam, cam], [mask, mask[:, :1]], [0, 0.5])
    with pytest.raises(ValueError):
        pxap([cam], [mask, mask], [0, 0.5])


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_matches_slow_reference(seed):
    rng = np.random.default_rng(seed)
    thresholds = np.arange(0, 1, [0.01, 0.05, 0.1][seed])
    height, width = 17, 23
    ys, xs = np.mgrid[0:height, 0:width]
    cams, masks = [], []
    for _ in range(4):
        cam = np.zeros((height, width))
        for _ in range(3):
            cy, cx = rng.uniform(0, height), rng.uniform(0, width)
            cam += np.exp(-((ys - cy)**2 + (xs - cx)**2) / rng.uniform(5, 60))
        cam = (cam - cam.min()) / (cam.max() - cam.min())
        cams.append(cam)
        mask = (cam + 0.4 * rng.random(cam.shape) > 0.6).astype(np.uint8)
        mask[rng.random(cam.shape) < 0.1] = 255
        masks.append(mask)
    got = pxap(cams, masks, thresholds)
    assert isinstance(got, float)
    assert got == pytest.approx(_slow_pxap(cams, masks, thresholds),
                                abs=1e-6)


def test_bin_indices_equal_searchsorted_on_even_and_uneven_edges():
    from wsol_mm.evaluation.functional.pxap import _bin_indices, histogram_edges
    rng = np.random.default_rng(0)
    for trial in range(150):
        if trial % 3 == 0:
            thresholds = np.arange(0, 1, rng.choice([0.001, 0.01, 0.003]))
        elif trial % 3 == 1:
            thresholds = np.sort(rng.random(rng.integers(1, 50)))
            thresholds[0] = 0
        else:
            thresholds = np.array([0.0])
        edges = histogram_edges(thresholds)
        # Random scores, the edges themselves and their float neighbours.
        values = np.concatenate([
            rng.random(300), edges[:-2], [0.0, 1.0],
            np.nextafter(edges[:-2], 2), np.nextafter(edges[1:-2], -1)])
        values = values[(values >= 0) & (values <= 1)]
        expected = np.minimum(
            np.searchsorted(edges, values, side='right') - 1, len(edges) - 2)
        assert np.array_equal(_bin_indices(values, edges), expected), trial
