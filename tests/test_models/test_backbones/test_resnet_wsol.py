"""ResNetWSOL: MMPretrain's ResNet with wsolevaluation's strides
(``wsol/resnet.py``: layer3 stride 2, or 1 for 28x28 maps; layer4 stride
1)."""
import copy
import math

import pytest
import torch
import torchvision
from mmengine.runner.checkpoint import get_torchvision_models


@pytest.fixture(scope='module')
def tv_resnet50(torchvision_checkpoint):
    return torchvision_checkpoint(
        'resnet50', lambda: torchvision.models.resnet50(weights=None))


def _first_block_strides(backbone):
    """(conv1 stride, conv2 stride, downsample stride) of each stage's first
    block."""
    strides = []
    for name in ('layer1', 'layer2', 'layer3', 'layer4'):
        block = getattr(backbone, name)[0]
        strides.append((block.conv1.stride[0], block.conv2.stride[0],
                        block.downsample[0].stride[0]))
    return strides


@pytest.mark.parametrize('large, stage_strides', [
    (False, [1, 2, 2, 1]), (True, [1, 2, 1, 1])])
def test_strides_without_dilation(build_backbone, large, stage_strides):
    backbone = build_backbone(dict(type='ResNetWSOL',
                                   large_feature_map=large))
    # The stride sits in conv2 (torchvision / 'pytorch' style).
    assert _first_block_strides(backbone) == [(1, s, s)
                                              for s in stage_strides]
    convs = [m for m in backbone.modules()
             if isinstance(m, torch.nn.Conv2d)]
    assert {m.dilation for m in convs} == {(1, 1)}
    assert backbone.out_indices == (3, )


@pytest.mark.parametrize('large, size', [(False, 14), (True, 28)])
def test_feature_map_sizes_at_224(build_backbone, large, size):
    backbone = build_backbone(dict(type='ResNetWSOL',
                                   large_feature_map=large))
    with torch.no_grad():
        outputs = backbone(torch.randn(1, 3, 224, 224))
    assert isinstance(outputs, tuple) and len(outputs) == 1
    assert outputs[0].shape == (1, 2048, size, size)


def _with_wsoleval_strides(tv_model, large):
    """torchvision's ResNet with layer4 (and layer3 when large) at stride 1,
    as wsolevaluation builds it."""
    model = copy.deepcopy(tv_model)
    layers = [model.layer3, model.layer4] if large else [model.layer4]
    for layer in layers:
        layer[0].conv2.stride = (1, 1)
        layer[0].downsample[0].stride = (1, 1)
    return model


def _trunk(tv_model, x, stages):
    x = tv_model.maxpool(tv_model.relu(tv_model.bn1(tv_model.conv1(x))))
    for name in stages:
        x = getattr(tv_model, name)(x)
    return x


@pytest.mark.parametrize('large', [False, True])
def test_torchvision_weights_load_and_match(tv_resnet50, load_pretrained,
                                            large):
    tv_model, path = tv_resnet50
    backbone, missing, unexpected = load_pretrained(
        dict(type='ResNetWSOL', large_feature_map=large), path)
    assert unexpected == {'fc.weight', 'fc.bias'}
    assert missing == set()
    tv_state = tv_model.state_dict()
    loaded = backbone.state_dict()
    assert set(loaded) == set(tv_state) - {'fc.weight', 'fc.bias'}
    for key in loaded:
        assert torch.equal(loaded[key], tv_state[key]), key
    # Zero-init of the residual norms would have overwritten bn3.
    assert torch.equal(backbone.layer1[0].bn3.weight,
                       tv_state['layer1.0.bn3.weight'])
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        if not large:  # stem + layer1-3 are torchvision's as they are
            stages = ('layer1', 'layer2', 'layer3')
            torch.testing.assert_close(
                _trunk(backbone, x, stages), _trunk(tv_model, x, stages))
        expected = _trunk(_with_wsoleval_strides(tv_model, large), x,
                          ('layer1', 'layer2', 'layer3', 'layer4'))
        assert expected.shape[-1] == (8 if large else 4)
        torch.testing.assert_close(backbone(x)[0], expected)


@pytest.mark.parametrize('init_mode, std', [
    ('xavier', math.sqrt(2 / (2 * 256 * 9))),  # ResNetCam / Spg / Adl
    ('he', math.sqrt(2 / (256 * 9)))])  # ResNetAcol
def test_default_init_without_checkpoint(build_backbone, init_mode, std):
    backbone = build_backbone(dict(type='ResNetWSOL', init_mode=init_mode))
    weight = backbone.layer3[1].conv2.weight  # 256 -> 256, 3x3
    assert weight.std().item() == pytest.approx(std, rel=0.02)
    # No zero-init of the last norm of each block.
    assert torch.equal(backbone.layer3[1].bn3.weight, torch.ones(1024))


def test_mmengine_knows_the_torchvision_names():
    """The ``torchvision://`` names of the configs; VGG16 is wsolevaluation's
    file, ResNet-50 and InceptionV3 are torchvision's newer files
    (wsolevaluation: resnet50-19c8e357, inception_v3_google-1a9a5a14)."""
    urls = get_torchvision_models()
    assert urls['vgg16'].endswith('/vgg16-397923af.pth')
    assert urls['resnet50'].endswith('/resnet50-0676ba61.pth')
    assert urls['inception_v3_google'].endswith(
        '/inception_v3_google-0cc3c7bd.pth')


def test_fixed_arguments_are_refused():
    from wsol_mm.models.backbones import ResNetWSOL
    with pytest.raises(TypeError, match='strides'):
        ResNetWSOL(strides=(1, 2, 2, 2))
    with pytest.raises(TypeError, match='dilations, zero_init_residual'):
        ResNetWSOL(dilations=(1, 1, 1, 2), zero_init_residual=True)
