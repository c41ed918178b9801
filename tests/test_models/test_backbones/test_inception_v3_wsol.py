"""InceptionV3WSOL: wsolevaluation's InceptionCam backbone
(``wsol/inception.py``) on torchvision's module names."""
import math

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

from wsol_mm.models.utils import OutputRecorder

CHILDREN = ['Conv2d_1a_3x3', 'Conv2d_2a_3x3', 'Conv2d_2b_3x3', 'maxpool1',
            'Conv2d_3b_1x1', 'Conv2d_4a_3x3', 'maxpool2', 'Mixed_5b',
            'Mixed_5c', 'Mixed_5d', 'maxpool3', 'Mixed_6a', 'Mixed_6b',
            'Mixed_6c', 'Mixed_6d', 'Mixed_6e']
HEAD = ['extra_dropout1', 'extra_conv1', 'extra_dropout2', 'extra_conv2']
HEAD_KEYS = {f'extra_conv{i}.0.{p}' for i in (1, 2) for p in ('weight',
                                                             'bias')}


@pytest.fixture(scope='module')
def tv_inception(torchvision_checkpoint):
    return torchvision_checkpoint(
        'inception_v3', lambda: torchvision.models.inception_v3(
            weights=None, aux_logits=True, init_weights=False))


def test_structure(build_backbone):
    backbone = build_backbone(dict(type='InceptionV3WSOL'))
    assert [name for name, _ in backbone.named_children()] == \
        CHILDREN + HEAD
    conv1a = backbone.Conv2d_1a_3x3.conv
    assert (conv1a.stride, conv1a.padding) == ((2, 2), (1, 1))
    mixed_6a = backbone.Mixed_6a
    for conv in (mixed_6a.branch3x3.conv, mixed_6a.branch3x3dbl_3.conv):
        assert (conv.kernel_size, conv.stride, conv.padding) == \
            ((3, 3), (1, 1), (1, 1))
    assert (mixed_6a.branch_pool.stride, mixed_6a.branch_pool.padding) == \
        (1, 1)
    for pool in (backbone.maxpool1, backbone.maxpool2):
        assert (pool.kernel_size, pool.stride, pool.padding,
                pool.ceil_mode) == (3, 2, 1, True)
    assert (backbone.maxpool3.kernel_size, backbone.maxpool3.stride,
            backbone.maxpool3.padding, backbone.maxpool3.ceil_mode) == \
        (3, 2, 0, True)
    norms = [m for m in backbone.modules() if isinstance(m, nn.BatchNorm2d)]
    # 5 stem convs, 7 per Mixed_5*, 4 in Mixed_6a, 10 per Mixed_6b-e
    assert len(norms) == 5 + 3 * 7 + 4 + 4 * 10
    assert {m.eps for m in norms} == {0.001}
    assert [m.p for m in (backbone.extra_dropout1,
                          backbone.extra_dropout2)] == [0.5, 0.5]
    assert backbone.extra_conv1[0].in_channels == 768
    assert backbone.extra_conv2[0].out_channels == 1024


def test_variants_structure(build_backbone):
    large = build_backbone(dict(type='InceptionV3WSOL',
                                large_feature_map=True))
    assert isinstance(large.maxpool3, nn.Identity)
    no_dropout = build_backbone(dict(type='InceptionV3WSOL', dropout=0))
    assert isinstance(no_dropout.extra_dropout1, nn.Identity)
    assert isinstance(no_dropout.extra_dropout2, nn.Identity)
    no_head = build_backbone(dict(type='InceptionV3WSOL', with_head=False))
    assert [name for name, _ in no_head.named_children()] == CHILDREN
    assert no_head.out_channels == 768


@pytest.mark.parametrize('cfg, channels, size, taps', [
    (dict(), 1024, 14, {'Mixed_5d': (288, 28), 'maxpool3': (288, 14),
                        'Mixed_6d': (768, 14), 'Mixed_6e': (768, 14)}),
    (dict(large_feature_map=True), 1024, 28,
     {'maxpool3': (288, 28), 'Mixed_6d': (768, 28)}),
    (dict(with_head=False), 768, 14, {'Mixed_6a': (768, 14)}),
])
def test_feature_map_sizes_at_224(build_backbone, check_feature_maps, cfg,
                                  channels, size, taps):
    check_feature_maps(build_backbone(dict(type='InceptionV3WSOL', **cfg)), channels,
                       size, taps)


def _basic_conv(block, x, padding):
    """torchvision's BasicConv2d ``block`` with another conv padding (and
    stride 1)."""
    return F.relu(block.bn(F.conv2d(x, block.conv.weight, padding=padding)))


def _reference(tv, x, large):
    """wsolevaluation's InceptionCam up to Mixed_6e from torchvision's
    modules: conv1a padding 1, 3/2 pad-1 ceil pools, 3/2 ceil pool before
    Mixed_6a (unless large), Mixed_6a at stride 1 with padding 1."""
    x = tv.Conv2d_1a_3x3(F.pad(x, (1, 1, 1, 1)))
    x = tv.Conv2d_2b_3x3(tv.Conv2d_2a_3x3(x))
    x = F.max_pool2d(x, 3, 2, padding=1, ceil_mode=True)
    x = tv.Conv2d_4a_3x3(tv.Conv2d_3b_1x1(x))
    x = F.max_pool2d(x, 3, 2, padding=1, ceil_mode=True)
    x = tv.Mixed_5d(tv.Mixed_5c(tv.Mixed_5b(x)))
    if not large:
        x = F.max_pool2d(x, 3, 2, ceil_mode=True)
    b6a = tv.Mixed_6a
    x = torch.cat([
        _basic_conv(b6a.branch3x3, x, padding=1),
        _basic_conv(b6a.branch3x3dbl_3,
                    b6a.branch3x3dbl_2(b6a.branch3x3dbl_1(x)), padding=1),
        F.max_pool2d(x, 3, 1, padding=1)], 1)
    for name in ('Mixed_6b', 'Mixed_6c', 'Mixed_6d', 'Mixed_6e'):
        x = getattr(tv, name)(x)
    return x


@pytest.mark.parametrize('large', [False, True])
def test_torchvision_weights_load_and_match(tv_inception, load_pretrained,
                                            large):
    tv_model, path = tv_inception
    backbone, missing, unexpected = load_pretrained(
        dict(type='InceptionV3WSOL', large_feature_map=large), path)
    tv_state = tv_model.state_dict()
    dropped = {k for k in tv_state
               if k.startswith(('Mixed_7', 'AuxLogits.', 'fc.'))}
    assert {'fc.weight', 'AuxLogits.fc.weight',
            'Mixed_7c.branch_pool.conv.weight'} <= dropped
    assert unexpected == dropped
    assert missing == HEAD_KEYS
    loaded = backbone.state_dict()
    assert set(loaded) - HEAD_KEYS == set(tv_state) - dropped
    for key in set(loaded) - HEAD_KEYS:
        assert torch.equal(loaded[key], tv_state[key]), key
    with torch.no_grad():
        # Blocks not touched by the changed paddings / strides match
        # torchvision's on the same input.
        for name, channels in (('Conv2d_2a_3x3', 32), ('Mixed_5b', 192),
                               ('Mixed_5d', 288), ('Mixed_6e', 768)):
            x = torch.randn(2, channels, 9, 9)
            torch.testing.assert_close(getattr(backbone, name)(x),
                                       getattr(tv_model, name)(x))
        x = torch.randn(2, 3, 160, 160)
        trunk = _reference(tv_model, x, large)
        assert trunk.shape[-1] == (20 if large else 10)
        head = backbone.extra_conv2(backbone.extra_conv1(trunk))
        torch.testing.assert_close(backbone(x)[0], head)  # eval: no dropout
    # The new layers keep wsolevaluation's xavier init.
    for conv in (backbone.extra_conv1[0], backbone.extra_conv2[0]):
        bound = math.sqrt(6 / ((conv.in_channels + conv.out_channels) * 9))
        assert conv.weight.abs().max().item() <= bound * (1 + 1e-6)
        assert conv.weight.abs().max().item() > 0.999 * bound
        assert conv.weight.std().item() == pytest.approx(
            bound / math.sqrt(3), rel=0.01)
        assert torch.equal(conv.bias, torch.zeros(conv.out_channels))


def test_head_is_applied_after_mixed_6e(build_backbone):
    """with_head: dropout (train only) -> conv 3x3 + ReLU, twice."""
    backbone = build_backbone(dict(type='InceptionV3WSOL'))
    recorder = OutputRecorder(backbone, ['Mixed_6e'])
    with torch.no_grad():
        output = backbone(torch.randn(1, 3, 96, 96))[0]
        conv1, conv2 = backbone.extra_conv1[0], backbone.extra_conv2[0]
        expected = F.relu(F.conv2d(
            F.relu(F.conv2d(recorder['Mixed_6e'], conv1.weight, conv1.bias,
                            padding=1)),
            conv2.weight, conv2.bias, padding=1))
    torch.testing.assert_close(output, expected)
    assert output.min() >= 0


def test_bad_arguments():
    from wsol_mm.models.backbones import InceptionV3WSOL
    with pytest.raises(ValueError, match='dropout.*1'):
        InceptionV3WSOL(dropout=1)
    with pytest.raises(ValueError, match='head_channels.*0'):
        InceptionV3WSOL(head_channels=0)
    with pytest.raises(ValueError, match="init_mode.*'he_normal'"):
        InceptionV3WSOL(init_mode='he_normal')
