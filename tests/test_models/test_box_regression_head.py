"""SmoothL1BoxLoss (SLT-Net Eqs. 3-4) and BoxRegressionHead."""
import pytest
import torch

from wsol_mm.models import BoxRegressionHead, SmoothL1BoxLoss


def test_smooth_l1_box_loss_by_hand_on_both_branches():
    pred = torch.tensor([[0.5, 2.0, -0.2, 5.0], [1.0, 1.0, 1.0, 1.0]])
    target = torch.tensor([[0.0, 0.0, 0.0, 1.0], [1.0, 1.0, 1.0, -0.5]])
    # image 1: 0.5 * 0.25 + (2 - 0.5) + 0.5 * 0.04 + (4 - 0.5)
    first = 0.125 + 1.5 + 0.02 + 3.5
    # image 2: |1.5| - 0.5 on the last coordinate only
    second = 1.0
    loss = SmoothL1BoxLoss()(pred, target)
    torch.testing.assert_close(loss, torch.tensor((first + second) / 2))
    torch.testing.assert_close(SmoothL1BoxLoss(loss_weight=0.5)(pred, target),
                               torch.tensor((first + second) / 4))
    # |x| = 1 is on the linear branch: 1 - 0.5
    torch.testing.assert_close(
        SmoothL1BoxLoss()(torch.ones(1, 4), torch.zeros(1, 4)),
        torch.tensor(2.0))


def test_smooth_l1_box_loss_gradient_is_x_then_sign():
    pred = torch.tensor([[0.3, -0.6, 3.0, -2.0]], requires_grad=True)
    SmoothL1BoxLoss()(pred, torch.zeros(1, 4)).backward()
    torch.testing.assert_close(pred.grad,
                               torch.tensor([[0.3, -0.6, 1.0, -1.0]]))


def test_smooth_l1_box_loss_shapes():
    with pytest.raises(ValueError, match=r'must both be \(B, 4\)'):
        SmoothL1BoxLoss()(torch.zeros(2, 4), torch.zeros(2, 5))
    with pytest.raises(ValueError, match=r'must both be \(B, 4\)'):
        SmoothL1BoxLoss()(torch.zeros(4), torch.zeros(4))


def _head(**kwargs):
    head = BoxRegressionHead(in_channels=3, hidden_channels=5, **kwargs)
    head.init_weights()
    return head


@pytest.mark.parametrize('out_act', ['relu', 'sigmoid', 'none'])
def test_head_is_gap_fc_relu_fc_act(out_act):
    torch.manual_seed(0)
    head = _head(out_act=out_act)
    with torch.no_grad():
        for p in head.parameters():
            p.normal_()
    features = torch.randn(2, 3, 4, 6)
    pooled = features.mean(dim=(2, 3))
    hidden = (pooled @ head.hidden_fc.weight.T + head.hidden_fc.bias).clamp(
        min=0)
    out = hidden @ head.out_fc.weight.T + head.out_fc.bias
    expected = dict(relu=out.clamp(min=0), sigmoid=torch.sigmoid(out),
                    none=out)[out_act]
    torch.testing.assert_close(head(features), expected)
    torch.testing.assert_close(head.predict(features), expected)
    target = torch.rand(2, 4)
    torch.testing.assert_close(
        head.loss(features, target)['loss_reg'],
        SmoothL1BoxLoss()(expected, target))


def test_pool_size_flattens_the_averaged_grid_channel_major():
    torch.manual_seed(0)
    head = BoxRegressionHead(in_channels=2, hidden_channels=3, pool_size=2,
                             out_act='none')
    with torch.no_grad():
        for p in head.parameters():
            p.normal_()
    features = torch.randn(1, 2, 4, 6)
    # the 2x2 cells of a 4x6 map are 2x3 blocks; channel c, cell (i, j)
    # sits at c * 4 + i * 2 + j
    cells = torch.stack([features[0, c, 2 * i:2 * i + 2, 3 * j:3 * j + 3]
                         .mean() for c in range(2) for i in range(2)
                         for j in range(2)])
    hidden = (head.hidden_fc.weight @ cells + head.hidden_fc.bias).clamp(
        min=0)
    expected = head.out_fc.weight @ hidden + head.out_fc.bias
    torch.testing.assert_close(head(features)[0], expected)
    assert head.hidden_fc.in_features == 8


def test_head_init_starts_every_output_above_zero():
    torch.manual_seed(0)
    head = _head()
    assert head.out_fc.bias.tolist() == [1.0] * 4
    assert head.hidden_fc.bias.abs().sum() == 0
    assert 0.003 < head.hidden_fc.weight.std() < 0.03
    assert (head(torch.rand(8, 3, 2, 2)) > 0.5).all()


def test_head_arguments():
    with pytest.raises(ValueError, match='out_act must be one of'):
        BoxRegressionHead(in_channels=3, out_act='tanh')
    with pytest.raises(ValueError, match='hidden_channels must be positive'):
        BoxRegressionHead(in_channels=3, hidden_channels=0)
    with pytest.raises(ValueError, match='pool_size must be positive'):
        BoxRegressionHead(in_channels=3, pool_size=0)
    assert BoxRegressionHead(in_channels=7).hidden_fc.out_features == 512
