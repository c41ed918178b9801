"""PreActResNet: map sizes per stem and strides, block counts, the
pre-activation order of a block and of the whole network against a
hand-written functional forward, bad arguments."""
import pytest
import torch
import torch.nn.functional as F

from wsol_mm.models.backbones import PreActResNet
from wsol_mm.models.backbones.preact_resnet import PreActBasicBlock


def randomise_norms(module, seed=0):
    """Random affine parameters and running statistics in every BN, so that
    a BN in the wrong place changes the values."""
    gen = torch.Generator().manual_seed(seed)
    for m in module.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            n = m.num_features
            m.weight.data = torch.rand(n, generator=gen) + 0.5
            m.bias.data = torch.randn(n, generator=gen)
            m.running_mean = torch.randn(n, generator=gen)
            m.running_var = torch.rand(n, generator=gen) + 0.5
    module.eval()  # MMPretrain backbones' train() returns None
    return module


def bn(x, params, prefix):
    return F.batch_norm(x, params[f'{prefix}.running_mean'],
                        params[f'{prefix}.running_var'],
                        params[f'{prefix}.weight'], params[f'{prefix}.bias'],
                        training=False, eps=1e-5)


def reference_block(x, p, prefix, stride, preact, projection):
    """He et al. (ECCV 2016) full pre-activation unit, written out."""
    a = F.relu(bn(x, p, f'{prefix}bn1')) if preact else x
    h = F.conv2d(a, p[f'{prefix}conv1.weight'], stride=stride, padding=1)
    h = F.conv2d(F.relu(bn(h, p, f'{prefix}bn2')), p[f'{prefix}conv2.weight'],
                 padding=1)
    s = F.conv2d(a, p[f'{prefix}downsample.weight'], stride=stride) \
        if projection else x
    return h + s


@pytest.mark.parametrize('in_ch,out_ch,stride,preact', [
    (3, 3, 1, True),    # identity shortcut on the raw input
    (2, 3, 2, True),    # projection of the pre-activated input
    (3, 3, 1, False),   # input already activated (first block of layer1)
])
def test_block_is_pre_activation(in_ch, out_ch, stride, preact):
    torch.manual_seed(0)
    block = randomise_norms(
        PreActBasicBlock(in_ch, out_ch, stride=stride, preact=preact))
    x = torch.randn(2, in_ch, 6, 6)
    p = {k: v.detach() for k, v in block.state_dict().items()}
    expected = reference_block(x, p, '', stride, preact,
                               projection=in_ch != out_ch or stride != 1)
    with torch.no_grad():
        got = block(x)
    assert torch.allclose(got, expected, atol=1e-5)
    # A post-activation block (conv-BN-ReLU-conv-BN, add, ReLU) differs.
    assert not torch.allclose(got, F.relu(got))
    assert hasattr(block, 'bn1') == preact


def test_identity_shortcut_adds_the_raw_input():
    block = randomise_norms(PreActBasicBlock(2, 2))
    for name in ('conv1', 'conv2'):
        getattr(block, name).weight.data.zero_()
    x = torch.randn(1, 2, 4, 4)
    with torch.no_grad():
        assert torch.equal(block(x), x)


def reference_network(x, p, depth_blocks, strides, imagenet_stem):
    """Stem conv-BN-ReLU (+ max pool), stages of pre-activation units (no
    pre-activation in the very first one, whose input the stem activated),
    final BN + ReLU."""
    stride, padding = (2, 3) if imagenet_stem else (1, 1)
    x = F.relu(bn(F.conv2d(x, p['conv1.weight'], stride=stride,
                           padding=padding), p, 'bn1'))
    if imagenet_stem:
        x = F.max_pool2d(x, 3, 2, 1)
    for i, (count, stage_stride) in enumerate(zip(depth_blocks, strides)):
        for b in range(count):
            prefix = f'layer{i + 1}.{b}.'
            x = reference_block(
                x, p, prefix, stage_stride if b == 0 else 1,
                preact=(i, b) != (0, 0),
                projection=f'{prefix}downsample.weight' in p)
    return F.relu(bn(x, p, 'final_norm'))


@pytest.mark.parametrize('stem', ['cifar', 'imagenet'])
def test_network_matches_hand_written_forward(stem):
    torch.manual_seed(0)
    net = randomise_norms(PreActResNet(18, stem=stem, base_channels=2))
    x = torch.randn(2, 3, 32, 32)
    p = {k: v.detach() for k, v in net.state_dict().items()}
    expected = reference_network(x, p, (2, 2, 2, 2), net.strides,
                                 stem == 'imagenet')
    with torch.no_grad():
        (got, ) = net(x)
    assert got.shape == expected.shape == (2, 16, *expected.shape[2:])
    assert torch.allclose(got, expected, atol=1e-5)
    assert (got >= 0).all()  # the final BN + ReLU map CAM reads


@pytest.mark.parametrize('stem,strides,size,expected', [
    ('cifar', (1, 2, 2, 1), 64, 16),
    ('cifar', (1, 2, 2, 2), 64, 8),      # the default
    ('imagenet', (1, 2, 2, 1), 64, 4),   # Tensorpack's CAM-resnet stem
    ('imagenet', (1, 2, 2, 1), 224, 14),
])
def test_feature_map_size(stem, strides, size, expected):
    net = PreActResNet(18, stem=stem, strides=strides, base_channels=8)
    net.eval()
    with torch.no_grad():
        outs = net(torch.zeros(1, 3, size, size))
    assert len(outs) == 1
    assert outs[0].shape == (1, 64, expected, expected)


def test_defaults_give_512_channels_at_8x8():
    net = PreActResNet(18)
    net.eval()
    assert (net.stem, net.strides) == ('cifar', (1, 2, 2, 2))
    assert net.conv1.kernel_size == (3, 3) and net.conv1.stride == (1, 1)
    assert net.maxpool is None
    with torch.no_grad():
        (out, ) = net(torch.zeros(1, 3, 64, 64))
    assert out.shape == (1, 512, 8, 8) and net.feat_dim == 512
    assert PreActResNet(18, stem='imagenet').strides == (1, 2, 2, 1)


@pytest.mark.parametrize('depth,counts', [(18, [2, 2, 2, 2]),
                                          (34, [3, 4, 6, 3])])
def test_block_counts_and_shortcuts(depth, counts):
    net = PreActResNet(depth, base_channels=4)
    assert [len(getattr(net, f'layer{i}')) for i in (1, 2, 3, 4)] == counts
    blocks = [(i, b, blk) for i in range(4)
              for b, blk in enumerate(getattr(net, f'layer{i + 1}'))]
    assert all(isinstance(blk, PreActBasicBlock) for _, _, blk in blocks)
    # Projections exactly where the width changes: first blocks of 2-4.
    assert [(i, b) for i, b, blk in blocks if blk.downsample is not None] \
        == [(1, 0), (2, 0), (3, 0)]
    assert [(i, b) for i, b, blk in blocks if not blk.preact] == [(0, 0)]
    convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    # stem + 2 per block + 3 projections; none has a bias.
    assert len(convs) == 1 + 2 * sum(counts) + 3
    assert all(c.bias is None for c in convs)


def test_out_indices_return_stage_outputs():
    net = PreActResNet(18, base_channels=4, strides=(1, 2, 2, 1),
                       out_indices=(1, 3))
    net.eval()
    with torch.no_grad():
        outs = net(torch.randn(1, 3, 32, 32))
    assert [o.shape[1:] for o in outs] == [(8, 16, 16), (32, 8, 8)]


@pytest.mark.parametrize('kwargs,error,words', [
    (dict(depth=50), KeyError, 'depth'),
    (dict(depth=18, stem='deep'), ValueError, 'stem'),
    (dict(depth=18, strides=(1, 2, 2)), ValueError, 'strides'),
    (dict(depth=18, out_indices=(4, )), ValueError, 'out_indices'),
])
def test_bad_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        PreActResNet(**kwargs)
