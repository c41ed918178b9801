"""The Center baseline: one centred Gaussian score map for every image."""
import math

import pytest
import torch
from mmengine.registry import init_default_scope

from wsol_mm.evaluation.functional import boxes_from_scoremap
from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample


def _model(sigma=0.25, **kwargs):
    init_default_scope('wsol_mm')
    return MODELS.build(dict(type='CenterGaussian', sigma=sigma, **kwargs))


def _hand_map(height, width, sigma):
    """The normalised Gaussian, pixel by pixel in plain Python."""
    g = [[math.exp(-0.5 * ((x + 0.5 - width / 2) / (sigma * width))**2
                   - 0.5 * ((y + 0.5 - height / 2) / (sigma * height))**2)
          for x in range(width)] for y in range(height)]
    low = min(min(row) for row in g)
    high = max(max(row) for row in g)
    return [[(v - low) / (high - low) for v in row] for row in g]


@pytest.mark.parametrize('height,width,sigma',
                         [(9, 13, 0.25), (8, 6, 0.25), (20, 11, 0.1)])
def test_map_matches_hand_formula(height, width, sigma):
    model = _model(sigma)
    inputs = torch.zeros(1, 3, height, width)
    (sample, ) = model(inputs, mode='predict')
    score_map = sample.gt_score_map
    assert score_map.shape == (height, width)
    expected = _hand_map(height, width, sigma)
    for y in range(height):
        for x in range(width):
            assert float(score_map[y, x]) == pytest.approx(expected[y][x],
                                                           abs=1e-6)
    assert float(score_map.min()) == pytest.approx(0.0, abs=1e-7)
    assert float(score_map.max()) == pytest.approx(1.0, abs=1e-6)


def test_raw_tensor_mode_is_unnormalised_gaussian():
    model = _model(0.3)
    out = model(torch.zeros(2, 3, 5, 7), mode='tensor')
    assert out.shape == (5, 7)
    x, y, height, width = 1, 4, 5, 7
    expected = math.exp(-0.5 * ((x + 0.5 - width / 2) / (0.3 * width))**2
                        - 0.5 * ((y + 0.5 - height / 2) / (0.3 * height))**2)
    assert float(out[y, x]) == pytest.approx(expected, rel=1e-6)


def test_peak_at_centre_and_symmetric():
    model = _model()
    (odd, ) = model(torch.zeros(1, 3, 11, 15), mode='predict')
    odd_map = odd.gt_score_map
    # Odd sizes: a single peak on the centre pixel.
    assert float(odd_map[5, 7]) == pytest.approx(1.0)
    flat_argmax = int(odd_map.argmax())
    assert divmod(flat_argmax, 15) == (5, 7)
    assert (odd_map < 1).sum() == 11 * 15 - 1
    even_map = model(torch.zeros(1, 3, 10, 12),
                     mode='predict')[0].gt_score_map
    for m in (odd_map, even_map):
        torch.testing.assert_close(m, m.flip(0))
        torch.testing.assert_close(m, m.flip(1))
    # Even sizes: the four centre pixels share the peak.
    for y, x in [(4, 5), (4, 6), (5, 5), (5, 6)]:
        assert float(even_map[y, x]) == pytest.approx(1.0)
    # Decreasing away from the centre along both axes.
    row = odd_map[5]
    assert all(row[i] < row[i + 1] for i in range(7))
    col = odd_map[:, 7]
    assert all(col[i] < col[i + 1] for i in range(5))


def test_predict_uses_img_shape_and_boxes():
    model = _model(test_cfg=dict(cam_threshold=0.5))
    inputs = torch.zeros(2, 3, 32, 32)
    samples = [WSOLDataSample(metainfo=dict(img_shape=(20, 30))),
               WSOLDataSample(metainfo=dict(img_shape=(32, 32)))]
    results = model(inputs, samples, mode='predict')
    for sample, (height, width) in zip(results, [(20, 30), (32, 32)]):
        assert sample.gt_score_map.shape == (height, width)
        expected = torch.tensor(_hand_map(height, width, 0.25))
        torch.testing.assert_close(sample.gt_score_map, expected, rtol=0,
                                   atol=1e-6)
        assert torch.equal(sample.pred_score_maps[0], sample.gt_score_map)
        box = boxes_from_scoremap(sample.gt_score_map.numpy(), [0.5],
                                  multi_contour=False)[0][0]
        assert sample.pred_bboxes.tolist() == [box.tolist()]


def test_loss_mode_raises():
    model = _model()
    with pytest.raises(RuntimeError, match='nothing to train'):
        model(torch.zeros(1, 3, 8, 8), [WSOLDataSample()], mode='loss')


@pytest.mark.parametrize('sigma', [0, -0.1])
def test_non_positive_sigma_raises(sigma):
    with pytest.raises(ValueError, match='sigma'):
        _model(sigma)
