import copy

import pytest
import torch
import torch.nn as nn

from wsol_mm.models.utils import OutputRecorder, insert_after
from wsol_mm.registry import MODELS


@MODELS.register_module(force=True)
class _TimesTwo(nn.Module):

    def forward(self, x):
        return 2 * x


def _network():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 3), nn.Sequential(nn.ReLU(),
                                                        nn.Linear(3, 2)))


def test_insert_after_changes_outputs_not_parameter_names():
    net = _network()
    x = torch.randn(4, 3)
    first = net[0](x)
    expected = net[1][1](2 * net[1][0](2 * first))
    names = list(net.state_dict())
    layers = insert_after(net, ['0', '1.0'], dict(type='_TimesTwo'))
    assert list(layers) == ['0', '1_0']
    assert list(net.state_dict()) == names
    torch.testing.assert_close(net(x), expected)
    # a deep copy (EMA, model averaging) runs its own copies of the layers
    clone = copy.deepcopy(net)
    torch.testing.assert_close(clone(x), expected)


def test_insert_after_unknown_name_lists_the_modules():
    with pytest.raises(KeyError, match='no submodule "layer9".*0, 1'):
        insert_after(_network(), ['layer9'], dict(type='_TimesTwo'))


def test_output_recorder_keeps_the_last_pass():
    net = _network()
    recorder = OutputRecorder(net, ['0', '1.0'])
    with pytest.raises(KeyError, match='run the network first'):
        recorder['0']
    x = torch.randn(2, 3)
    net(x)
    torch.testing.assert_close(recorder['0'], net[0](x))
    torch.testing.assert_close(recorder['1.0'], net[0](x).relu())
    assert set(recorder.pop_all()) == {'0', '1.0'}
    assert recorder.outputs == {}


def test_cam_plugins_apply_after_backbone_blocks():
    from wsol_mm.models import CAM
    cfg = dict(
        backbone=dict(type='mmpretrain.ResNet', depth=18, base_channels=8,
                      strides=(1, 2, 2, 1), out_indices=(3, )),
        head=dict(type='CAMHead', num_classes=3, in_channels=64))
    torch.manual_seed(0)
    plain = CAM(**cfg)
    with_plugin = CAM(**cfg, plugins=[dict(cfg=dict(type='_TimesTwo'),
                                           after=['layer4.1'])])
    with_plugin.load_state_dict(plain.state_dict())
    plain.eval(), with_plugin.eval()
    x = torch.randn(1, 3, 64, 64)
    torch.testing.assert_close(with_plugin.extract_feat(x),
                               2 * plain.extract_feat(x))
    with pytest.raises(KeyError, match='cfg and after'):
        CAM(**cfg, plugins=[dict(cfg=dict(type='_TimesTwo'), at=['x'])])
