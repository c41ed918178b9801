"""BoxRegressor: SLT-Net's regressor on a tiny ResNet."""
import pytest
import torch
from mmengine.registry import init_default_scope

from wsol_mm.evaluation import WSOLMetric
from wsol_mm.models import SmoothL1BoxLoss
from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample

SIZE = 64


def _model(box_normalizer=dict(mode='stride', stride=16), out_act='none'):
    init_default_scope('wsol_mm')
    model = MODELS.build(
        dict(type='BoxRegressor',
             backbone=dict(type='mmpretrain.ResNet', depth=18,
                           base_channels=8, out_indices=(3, )),
             head=dict(type='BoxRegressionHead', in_channels=64,
                       hidden_channels=16, out_act=out_act),
             box_normalizer=box_normalizer))
    model.init_weights()
    return model.eval()


def _fixed_output(model, boxes):
    """Make the head output ``boxes`` (normalised) for every image."""
    with torch.no_grad():
        model.head.out_fc.weight.zero_()
        model.head.out_fc.bias.copy_(torch.as_tensor(boxes))


def _inputs(batch=2):
    torch.manual_seed(3)
    return torch.rand(batch, 3, SIZE, SIZE)


@pytest.mark.parametrize('normalizer, divisor', [
    (dict(mode='stride', stride=16), [16., 16., 16., 16.]),
    (dict(mode='image'), [SIZE * 2., SIZE, SIZE * 2., SIZE])])
def test_regression_loss_targets_are_normalised(normalizer, divisor):
    model = _model(normalizer)
    inputs = torch.rand(2, 3, SIZE, SIZE * 2)
    targets = torch.tensor([[8., 4., 40., 60.], [0., 0., 128., 64.]])
    with torch.no_grad():
        pred = model.head(model.backbone(inputs)[-1])
        expected = SmoothL1BoxLoss()(pred, targets / torch.tensor(divisor))
        losses = model.regression_loss(inputs, targets)
    assert set(losses) == {'loss_reg'}
    torch.testing.assert_close(losses['loss_reg'], expected)


def test_regression_loss_trains_the_regressor_only():
    model = _model()
    targets = torch.tensor([[8., 4., 40., 60.], [0., 0., 64., 64.]],
                           requires_grad=True)
    model.regression_loss(_inputs(), targets)['loss_reg'].backward()
    assert targets.grad is None
    assert model.head.out_fc.weight.grad is not None
    assert model.backbone.conv1.weight.grad.abs().sum() > 0
    with pytest.raises(ValueError, match=r'target_boxes must be \(2, 4\)'):
        model.regression_loss(_inputs(), torch.zeros(2, 5))


def test_loss_reads_the_first_pseudo_box():
    model = _model()
    samples = [WSOLDataSample().set_pseudo_bboxes([[8, 4, 40, 60]]),
               WSOLDataSample().set_pseudo_bboxes([[0, 0, 64, 64],
                                                   [1, 1, 2, 2]])]
    with torch.no_grad():
        losses = model(_inputs(), samples, mode='loss')
        expected = model.regression_loss(
            _inputs(), torch.tensor([[8., 4., 40., 60.], [0., 0., 64., 64.]]))
    torch.testing.assert_close(losses['loss_reg'], expected['loss_reg'])
    samples[1] = WSOLDataSample(metainfo=dict(img_path='b.jpg'))
    with pytest.raises(KeyError, match='1 of 2 have none.*b.jpg.*'
                       'LoadPseudoBox'):
        model(_inputs(), samples, mode='loss')


def test_predicted_boxes_are_denormalised_ordered_and_clipped():
    model = _model(dict(mode='stride', stride=16))
    # x0 y0 x1 y1 = 3.5, 5, 1, -0.25 cells: x corners swapped, y1 < 0
    _fixed_output(model, [3.5, 5.0, 1.0, -0.25])
    with torch.no_grad():
        boxes = model.predict_boxes(_inputs())
    expected = torch.tensor([16., 0., 56., SIZE])
    torch.testing.assert_close(boxes, expected.expand(2, 4))
    model = _model(dict(mode='image'))
    _fixed_output(model, [0.25, 0.5, 0.75, 1.5])
    with torch.no_grad():
        boxes = model.predict_boxes(torch.rand(1, 3, SIZE, SIZE * 2))
    torch.testing.assert_close(boxes, torch.tensor([[32., 32., 96., 64.]]))


def test_predict_gives_the_box_and_its_map_on_the_image_grid():
    model = _model(dict(mode='stride', stride=8))
    _fixed_output(model, [1.0, 2.25, 5.0, 6.0])  # 8 18 40 48 pixels
    shapes = [(SIZE, SIZE), (40, 30)]  # the second is padded in the batch
    gt_boxes = [[8, 18, 40, 48], [0, 0, 10, 10]]
    samples = [WSOLDataSample(metainfo=dict(img_shape=s, sample_idx=i))
               .set_gt_bboxes([b]) for i, (s, b) in enumerate(
                   zip(shapes, gt_boxes))]
    with torch.no_grad():
        samples = model(_inputs(), samples, mode='predict')
    torch.testing.assert_close(samples[0].pred_bboxes,
                               torch.tensor([[8., 18., 40., 48.]]))
    torch.testing.assert_close(samples[1].pred_bboxes,
                               torch.tensor([[8., 18., 30., 40.]]))
    for sample, (height, width) in zip(samples, shapes):
        x0, y0, x1, y1 = sample.pred_bboxes[0].int().tolist()
        expected = torch.zeros(height, width)
        expected[y0:y1, x0:x1] = 1
        torch.testing.assert_close(sample.gt_score_map, expected)
        torch.testing.assert_close(sample.pred_score_maps, expected[None])
        assert 'pred_score' not in sample
    # The metric scores the box itself, through pred_bboxes and through the
    # map: image 1 is its GT box, image 2 misses its GT box.
    metric = WSOLMetric(loc_boxes='predicted', cam_curve_interval=0.1)
    metric.process(None, samples)
    results = metric.compute_metrics(metric.results)
    assert results['gt_known_loc'] == pytest.approx(50.0)
    assert results['max_box_acc_v2'] == pytest.approx(50.0)
    assert results['max_box_acc'] == pytest.approx(50.0)


def test_box_normalizer_is_checked():
    with pytest.raises(ValueError, match='positive stride'):
        _model(dict(mode='stride'))
    with pytest.raises(ValueError, match='box_normalizer must be'):
        _model(dict(mode='cells'))
    with pytest.raises(ValueError, match='box_normalizer must be'):
        _model(dict(mode='image', size=3))
