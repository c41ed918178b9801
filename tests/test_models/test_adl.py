"""ADL: drop mask / importance map by hand, one draw per forward from
torch's generator, identity in eval, and as a CAM backbone plugin."""
import math
from unittest import mock

import pytest
import torch
from mmengine.registry import init_default_scope

from wsol_mm.models import CAM
from wsol_mm.models.utils import ADL
from wsol_mm.registry import MODELS


def _features():
    # image 0: attention (channel mean) [[1, 2], [3, 4]], max 4
    # image 1: attention [[0, 2], [2, 0]], max 2
    x = torch.tensor([[[[1., 3.], [5., 7.]], [[1., 1.], [1., 1.]]],
                      [[[0., 2.], [4., 0.]], [[0., 2.], [0., 0.]]]])
    attention = [[[1., 2.], [3., 4.]], [[0., 2.], [2., 0.]]]
    return x, attention


def _forced(adl, x, rand_value):
    """``adl(x)`` in training with ``torch.rand([])`` returning
    ``rand_value`` (float32)."""
    adl.train()
    draw = torch.tensor(rand_value, dtype=torch.float32)
    with mock.patch.object(torch, 'rand', return_value=draw) as rand:
        out = adl(x)
    rand.assert_called_once_with([])
    return out


def test_registered_and_repr():
    init_default_scope('wsol_mm')
    adl = MODELS.build(dict(type='ADL'))
    assert isinstance(adl, ADL)
    assert (adl.drop_rate, adl.gamma) == (0.75, 0.9)
    assert 'drop_rate=0.75, gamma=0.9' in repr(adl)


@pytest.mark.parametrize('key,kwargs', [('drop_rate', dict(drop_rate=1.5)),
                                        ('gamma', dict(gamma=-0.1))])
def test_bad_arguments_name_the_key(key, kwargs):
    with pytest.raises(ValueError, match=key):
        ADL(**kwargs)


@pytest.mark.parametrize('gamma,mask', [
    # thresholds 0.9 * (4, 2) = (3.6, 1.8)
    (0.9, [[[1., 1.], [1., 0.]], [[1., 0.], [0., 1.]]]),
    # thresholds (2, 1): strict "<" keeps 2 < 2 out of the mask
    (0.5, [[[1., 0.], [0., 0.]], [[1., 0.], [0., 1.]]]),
])
def test_drop_path_by_hand(gamma, mask):
    x, _ = _features()
    adl = ADL(drop_rate=0.75, gamma=gamma)
    # floor(0.25 + 0.75) = 1: drop
    out = _forced(adl, x, 0.25)
    expected = x * torch.tensor(mask)[:, None]
    torch.testing.assert_close(out, expected, rtol=0, atol=0)


def test_importance_path_by_hand():
    x, attention = _features()
    adl = ADL(drop_rate=0.75, gamma=0.9)
    # torch.rand gives multiples of 2 ** -24: the largest below 0.25 gives
    # floor(1 - 2 ** -24) = 0 (exact in float32): importance
    below = 0.25 - 2 ** -24
    out = _forced(adl, x, below)
    sigmoid = torch.tensor([[[1 / (1 + math.exp(-a)) for a in row]
                             for row in image] for image in attention])
    torch.testing.assert_close(out, x * sigmoid[:, None])


def test_drop_rate_zero_and_one():
    x, _ = _features()
    importance = _forced(ADL(drop_rate=0.0), x, 0.999)
    assert torch.equal(importance, _forced(ADL(drop_rate=0.75), x, 0.1))
    dropped = _forced(ADL(drop_rate=1.0), x, 0.0)
    assert torch.equal(dropped, _forced(ADL(drop_rate=0.75), x, 0.5))
    assert not torch.equal(importance, dropped)


def test_one_draw_per_forward_from_torch_generator():
    x, _ = _features()
    adl = ADL(drop_rate=0.75, gamma=0.9)
    drop_out = _forced(adl, x, 0.5)
    keep_out = _forced(adl, x, 0.0)
    drops = 0
    for seed in range(400):
        torch.manual_seed(seed)
        expected_drop = float(torch.rand([])) + 0.75 >= 1
        torch.manual_seed(seed)
        out = adl(x)
        # the whole batch takes the same path
        assert torch.equal(out, drop_out if expected_drop else keep_out)
        drops += expected_drop
    assert 0.68 < drops / 400 < 0.82


def test_identity_in_eval():
    x, _ = _features()
    adl = ADL()
    adl.eval()
    state = torch.get_rng_state()
    assert adl(x) is x
    assert torch.equal(torch.get_rng_state(), state)


def _adl_by_hand(x, drop, gamma=0.9):
    attention = x.mean(1, keepdim=True)
    if drop:
        peak = attention.amax(dim=(2, 3), keepdim=True)
        return torch.where(attention < gamma * peak, x, torch.zeros_like(x))
    return x * torch.sigmoid(attention)


def test_cam_with_adl_plugins_equals_manual_insertion():
    cfg = dict(
        backbone=dict(type='mmpretrain.ResNet', depth=18, base_channels=8,
                      strides=(1, 2, 2, 1), out_indices=(3, )),
        head=dict(type='CAMHead', num_classes=3, in_channels=64))
    after = ['layer3.0', 'layer4.0', 'layer4.1']
    torch.manual_seed(0)
    plain = CAM(**cfg)
    with_adl = CAM(**cfg, plugins=[dict(
        cfg=dict(type='ADL', drop_rate=0.75, gamma=0.9), after=after)])
    assert list(with_adl.plugins) == ['layer3_0', 'layer4_0', 'layer4_1']
    assert set(with_adl.state_dict()) == set(plain.state_dict())
    with_adl.load_state_dict(plain.state_dict())
    x = torch.randn(2, 3, 64, 64)

    seed = 5
    torch.manual_seed(seed)
    drops = [float(torch.rand([])) + 0.75 >= 1 for _ in after]
    assert drops == [True, False, True]  # both paths in one forward

    with_adl.train()
    torch.manual_seed(seed)
    got = with_adl.extract_feat(x)

    plain.train()
    net = plain.backbone
    h = net.maxpool(net.relu(net.norm1(net.conv1(x))))
    h = net.layer2(net.layer1(h))
    h = net.layer3[1](_adl_by_hand(net.layer3[0](h), drops[0]))
    h = _adl_by_hand(net.layer4[0](h), drops[1])
    expected = _adl_by_hand(net.layer4[1](h), drops[2])
    torch.testing.assert_close(got, expected)

    with_adl.eval(), plain.eval()
    torch.testing.assert_close(with_adl.extract_feat(x),
                               plain.extract_feat(x))
