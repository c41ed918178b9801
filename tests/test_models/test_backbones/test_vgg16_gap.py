"""VGG16GAP: wsolevaluation's VGG16 (``wsol/vgg.py``) on torchvision's
``features`` indices."""
import math

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


# torchvision vgg16 features: conv (index) -> its ReLU is index + 1.
CONVS = (0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28)
POOLS = (4, 9, 16, 23)
FEATURE_KEYS = {f'features.{i}.{p}' for i in CONVS for p in ('weight', 'bias')}


@pytest.fixture(scope='module')
def tv_vgg16(torchvision_checkpoint):
    return torchvision_checkpoint(
        'vgg16', lambda: torchvision.models.vgg16(weights=None),
        placeholders=('classifier.', ))


def _pool_spec(pool):
    return (type(pool).__name__, getattr(pool, 'kernel_size', None),
            getattr(pool, 'stride', None), getattr(pool, 'padding', None))


# wsolevaluation's pool names: 'M' 2x2/2, 'M1' 3x3/2 pad 1, 'M2' 3x3/1 pad 1.
M = ('MaxPool2d', 2, 2, 0)
M1 = ('MaxPool2d', 3, 2, 1)
M2 = ('MaxPool2d', 3, 1, 1)
NONE = ('Identity', None, None, None)


@pytest.mark.parametrize('pooling, large, pools, length', [
    ('max', False, [M] * 4, 30),
    ('max', True, [M] * 3 + [NONE], 30),
    ('acol', False, [M1] * 4 + [M2], 31),
    ('acol', True, [M1] * 3 + [M2] * 2, 31),
    ('spg', False, [M] * 3 + [M1], 30),
    ('spg', True, [M] * 3 + [NONE], 30),
])
def test_structure(build_backbone, pooling, large, pools, length):
    """No pool5 (except ACoL's 3x3/1), no pool4 when large; convs, ReLUs and
    pools at torchvision's indices."""
    backbone = build_backbone(dict(type='VGG16GAP', pooling=pooling,
                                   large_feature_map=large,
                                   with_conv6=False))
    features = backbone.features
    assert len(features) == length
    assert [_pool_spec(features[i]) for i in (*POOLS, 30)[:len(pools)]] \
        == pools
    for index in CONVS:
        assert isinstance(features[index], nn.Conv2d)
        assert features[index].kernel_size == (3, 3)
        assert features[index].padding == (1, 1)
        assert isinstance(features[index + 1], nn.ReLU)
    assert features[28].out_channels == 512
    assert not hasattr(backbone, 'conv6')
    assert (backbone.acol_avgpool is not None) == (pooling == 'acol')


@pytest.mark.parametrize('cfg, channels, size, taps', [
    (dict(), 1024, 14, {'features.16': (256, 28), 'features.22': (512, 28),
                        'features.29': (512, 14)}),
    (dict(large_feature_map=True), 1024, 28, {'features.29': (512, 28)}),
    (dict(pooling='acol', with_conv6=False), 512, 14,
     {'features.30': (512, 14)}),
    (dict(pooling='acol', with_conv6=False, large_feature_map=True), 512, 28,
     {'features.30': (512, 28)}),
    (dict(pooling='spg', with_conv6=False), 512, 14,
     {'features.23': (512, 14), 'features.29': (512, 14)}),
    (dict(pooling='spg', with_conv6=False, large_feature_map=True), 512, 28,
     {'features.23': (512, 28), 'features.29': (512, 28)}),
])
def test_feature_map_sizes_at_224(build_backbone, check_feature_maps, cfg,
                                  channels, size, taps):
    check_feature_maps(build_backbone(dict(type='VGG16GAP', **cfg)), channels,
                       size, taps)


def _reference(tv_features, pooling, large, x):
    """The wsolevaluation network from torchvision's modules: pools swapped
    as in ``configs_dict``, pool5 dropped (pool4 too when large)."""
    layers = list(tv_features.children())[:30]
    if pooling == 'acol':
        for index in POOLS[:3]:
            layers[index] = nn.MaxPool2d(3, 2, 1)
        layers[23] = nn.MaxPool2d(3, 1, 1) if large else nn.MaxPool2d(3, 2, 1)
        layers.append(nn.MaxPool2d(3, 1, 1))
    elif large:
        layers[23] = nn.Identity()
    elif pooling == 'spg':
        layers[23] = nn.MaxPool2d(3, 2, 1)
    x = nn.Sequential(*layers)(x)
    return F.avg_pool2d(x, 3, 1, 1) if pooling == 'acol' else x


@pytest.mark.parametrize('pooling, large, with_conv6', [
    ('max', False, True), ('max', True, True), ('acol', True, False),
    ('spg', False, False)])
def test_torchvision_weights_load_and_match(tv_vgg16, load_pretrained,
                                            pooling, large, with_conv6):
    tv_model, path = tv_vgg16
    backbone, missing, unexpected = load_pretrained(
        dict(type='VGG16GAP', pooling=pooling, large_feature_map=large,
             with_conv6=with_conv6), path)
    # Exactly these keys are not shared with torchvision's file.
    assert unexpected == {f'classifier.{i}.{p}' for i in (0, 3, 6)
                          for p in ('weight', 'bias')}
    assert missing == ({'conv6.weight', 'conv6.bias'} if with_conv6
                       else set())
    loaded = backbone.state_dict()
    tv_state = tv_model.state_dict()
    assert set(loaded) - missing == FEATURE_KEYS
    for key in FEATURE_KEYS:
        assert torch.equal(loaded[key], tv_state[key]), key
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        # The layers shared with torchvision give the same outputs (up to
        # conv4_3's ReLU; ACoL's pools differ from pool1 on).
        shared = 4 if pooling == 'acol' else 23
        torch.testing.assert_close(backbone.features[:shared](x),
                                   tv_model.features[:shared](x))
        expected = _reference(tv_model.features, pooling, large, x)
        if with_conv6:
            expected = F.relu(F.conv2d(expected, backbone.conv6.weight,
                                       backbone.conv6.bias, padding=1))
        torch.testing.assert_close(backbone(x)[0], expected)
    if with_conv6:  # the new layer keeps VggCam's 'he' init
        _assert_he_init(backbone.conv6)


def _assert_he_init(conv):
    """wsolevaluation's initialize_weights(init_mode='he'): kaiming_normal
    fan_out relu, bias 0 (PyTorch's default init is uniform with std
    1/sqrt(3 fan_in), 0.0085 for conv6, and a non-zero bias)."""
    std = math.sqrt(2 / (conv.out_channels * 9))
    assert conv.weight.std().item() == pytest.approx(std, rel=0.02)
    assert conv.weight.abs().max().item() > 4.5 * std  # normal, not uniform
    assert torch.equal(conv.bias, torch.zeros(conv.out_channels))


@pytest.mark.parametrize('with_conv6, std', [
    (True, math.sqrt(2 / (512 * 9))),  # he: fan_out of conv5_3
    (False, math.sqrt(2 / (1024 * 9)))])  # xavier: sqrt(2/(fan_in+fan_out))
def test_default_init_without_checkpoint(build_backbone, with_conv6, std):
    """Without weights every conv has wsolevaluation's init: 'he' for VggCam
    (with conv6), 'xavier' for VggAcol / VggSpg (without)."""
    backbone = build_backbone(dict(type='VGG16GAP', with_conv6=with_conv6))
    weight = backbone.features[28].weight
    assert weight.std().item() == pytest.approx(std, rel=0.02)
    assert torch.equal(backbone.features[28].bias, torch.zeros(512))


def test_bad_arguments():
    from wsol_mm.models.backbones import VGG16GAP
    with pytest.raises(ValueError, match="pooling.*'avg'"):
        VGG16GAP(pooling='avg')
    with pytest.raises(ValueError, match="init_mode.*'kaiming'"):
        VGG16GAP(init_mode='kaiming')
