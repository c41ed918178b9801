"""MFF-Net's neck: multiplicative channel attention, reduction, fusion."""
import math

import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope

from wsol_mm.models.necks.mff_neck import fuse_feature_maps
from wsol_mm.registry import MODELS

# Four backbone outputs, shallow to deep (strides 4/8/16/32 of a 32 image).
CHANNELS = (3, 4, 5, 6)
SIZES = (8, 4, 2, 1)
OUT = 3


def _feats(channels=CHANNELS, sizes=SIZES, batch=2, seed=0):
    torch.manual_seed(seed)
    return [torch.randn(batch, c, s, s) for c, s in zip(channels, sizes)]


def _build(**kwargs):
    init_default_scope('wsol_mm')
    torch.manual_seed(1)
    return MODELS.build(kwargs)


def _neck(**kwargs):
    cfg = dict(type='MFFNeck', in_channels=CHANNELS, out_channels=OUT,
               mca=dict(latent_channels=4))
    cfg.update(kwargs)
    return _build(**cfg)


# Multiplicative channel attention


def test_mca_hand_computed_values():
    """X (1 channel, 2x2) and Y (1 channel, 1x1), latent of 1 channel."""
    mca = _build(type='MultiplicativeChannelAttention', in_channels=[1, 1],
                 latent_channels=1)
    with torch.no_grad():
        for conv, (w, b) in zip(mca.latent_convs, [(1., 0.), (0.5, 1.)]):
            conv.weight.fill_(w)
            conv.bias.fill_(b)
        for conv, (w, b) in zip(mca.attention_convs,
                                [(0.2, -1.), (0., math.log(3))]):
            conv.weight.fill_(w)
            conv.bias.fill_(b)
    x = torch.tensor([[[[1., 2.], [3., 4.]]]])
    y = torch.tensor([[[[2.]]]])
    # GAP: 2.5 and 2 -> latent 1 * 2.5 + 0 = 2.5 and 0.5 * 2 + 1 = 2 ->
    # V = 5 -> attention sigmoid(0.2 * 5 - 1) = 0.5, sigmoid(log 3) = 0.75.
    out_x, out_y = mca([x, y])
    torch.testing.assert_close(out_x, x * 0.5, rtol=0, atol=1e-6)
    torch.testing.assert_close(out_y, torch.tensor([[[[1.5]]]]), rtol=0,
                               atol=1e-6)


@pytest.mark.parametrize('num_inputs', [1, 2, 3])
def test_mca_matches_step_by_step_computation(num_inputs):
    channels = CHANNELS[:num_inputs]
    mca = _build(type='MultiplicativeChannelAttention', in_channels=channels,
                 latent_channels=5)
    with torch.no_grad():  # non-zero biases, so that they are checked too
        for conv in [*mca.latent_convs, *mca.attention_convs]:
            conv.bias.normal_()
    feats = _feats(channels, SIZES[:num_inputs])
    with torch.no_grad():
        outputs = mca(feats)
        latent = torch.ones(2, 5)
        for feat, conv in zip(feats, mca.latent_convs):
            pooled = feat.sum(dim=(2, 3)) / (feat.shape[2] * feat.shape[3])
            latent = latent * (pooled @ conv.weight[:, :, 0, 0].T + conv.bias)
    assert len(outputs) == num_inputs
    for i, (feat, out) in enumerate(zip(feats, outputs)):
        conv = mca.attention_convs[i]
        logits = latent @ conv.weight[:, :, 0, 0].T + conv.bias
        attention = 1 / (1 + torch.exp(-logits))
        assert out.shape == feat.shape
        for c in range(feat.shape[1]):
            torch.testing.assert_close(
                out[:, c], feat[:, c] * attention[:, c, None, None], rtol=0,
                atol=1e-6)


def test_mca_rejects_bad_inputs():
    mca = _build(type='MultiplicativeChannelAttention', in_channels=[3, 4])
    x, y, z = _feats(CHANNELS[:3], SIZES[:3])
    with pytest.raises(ValueError, match='feats has 3 maps'):
        mca([x, y, z])
    with pytest.raises(ValueError, match=r'feats\[1\] has 5 channels'):
        mca([x, z])
    with pytest.raises(ValueError, match='latent_channels'):
        _build(type='MultiplicativeChannelAttention', in_channels=[3],
               latent_channels=0)
    with pytest.raises(ValueError, match='in_channels'):
        _build(type='MultiplicativeChannelAttention', in_channels=[])


# Fusion function


@pytest.mark.parametrize('fusion', ['mul', 'add', 'concat'])
def test_fuse_feature_maps_values(fusion):
    x, y, z = _feats((2, 2, 2), (3, 3, 3))
    fused = fuse_feature_maps([x, y, z], fusion)
    expected = {'mul': x * y * z, 'add': x + y + z,
                'concat': torch.stack([x, y, z], 1).flatten(1, 2)}[fusion]
    if fusion == 'concat':  # channels of x, then of y, then of z
        assert torch.equal(fused[:, 2:4], y)
    torch.testing.assert_close(fused, expected, rtol=0, atol=1e-6)


def test_mul_fusion_gradient_is_eq_2():
    """d mean(X * Y * Z) / dX = Y * Z / (H * W), and not a constant as for
    the sum (Eq. 4)."""
    x, y, z = (t.requires_grad_() for t in _feats((1, 1, 1), (3, 3, 3)))
    fuse_feature_maps([x, y, z], 'mul').mean(dim=(2, 3)).sum().backward()
    torch.testing.assert_close(x.grad, (y * z).detach() / 9, rtol=0,
                               atol=1e-7)
    torch.testing.assert_close(z.grad, (x * y).detach() / 9, rtol=0,
                               atol=1e-7)
    a, b = (t.requires_grad_() for t in _feats((1, 1), (3, 3)))
    fuse_feature_maps([a, b], 'add').mean(dim=(2, 3)).sum().backward()
    torch.testing.assert_close(a.grad, torch.full_like(a, 1 / 9), rtol=0,
                               atol=1e-7)


def test_fuse_feature_maps_rejects_unknown_fusion():
    with pytest.raises(ValueError, match=r"'mul', 'add', 'concat'.*'max'"):
        fuse_feature_maps(_feats((1, 1), (2, 2)), 'max')


# The neck


def _expected_fused(neck, feats):
    """Independent forward: MCA and reductions called one by one, bilinear
    resizing with F.interpolate, then the fusion written out."""
    fused_feats = feats[-neck.num_fused:]
    if neck.mca is not None:
        fused_feats = neck.mca(fused_feats)
    branches = [red(f) for red, f in zip(neck.reductions, fused_feats)]
    size = tuple(fused_feats[0].shape[-2:])
    resized = [F.interpolate(b, size=size, mode='bilinear',
                             align_corners=False) for b in branches]
    if neck.fusion == 'concat':
        expected = torch.cat(resized, dim=1)
    else:
        expected = resized[0]
        for branch in resized[1:]:
            expected = (expected * branch if neck.fusion == 'mul' else
                        expected + branch)
    return branches[-1], expected


@pytest.mark.parametrize('fusion', ['mul', 'add', 'concat'])
@pytest.mark.parametrize('with_mca', [True, False])
def test_neck_fused_map_matches_independent_computation(fusion, with_mca):
    neck = _neck(num_fused=3, fusion=fusion,
                 **({} if with_mca else dict(mca=None))).eval()
    assert (neck.mca is not None) == with_mca
    feats = _feats()
    with torch.no_grad():
        deepest, fused = neck(feats)
        expected_deepest, expected_fused = _expected_fused(neck, feats)
    fused_channels = OUT * 3 if fusion == 'concat' else OUT
    assert neck.fused_channels == fused_channels
    assert fused.shape == (2, fused_channels, SIZES[1], SIZES[1])
    assert deepest.shape == (2, OUT, SIZES[3], SIZES[3])
    torch.testing.assert_close(fused, expected_fused, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(deepest, expected_deepest, rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize('num_fused', [1, 2, 3, 4])
def test_neck_fuses_the_last_num_fused_inputs(num_fused):
    neck = _neck(num_fused=num_fused, fusion='add').eval()
    # only the fused (last) inputs have modules, with their channels
    assert [r.conv.in_channels for r in neck.reductions] == \
        list(CHANNELS[-num_fused:])
    assert [c.in_channels for c in neck.mca.latent_convs] == \
        list(CHANNELS[-num_fused:])
    feats = _feats()
    with torch.no_grad():
        deepest, fused = neck(feats)
        # the unused shallow inputs change nothing
        changed = [f + 10 if i < 4 - num_fused else f
                   for i, f in enumerate(feats)]
        _, fused_changed = neck(changed)
        _, expected = _expected_fused(neck, feats)
    size = SIZES[4 - num_fused]
    assert fused.shape == (2, OUT, size, size)
    torch.testing.assert_close(fused, expected, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(fused_changed, fused, rtol=0, atol=0)
    if num_fused == 1:  # Fuse1: the fused map is the deepest branch
        torch.testing.assert_close(fused, deepest, rtol=0, atol=0)


@pytest.mark.parametrize('fusion', ['mul', 'add', 'concat'])
def test_gradient_reaches_every_branch(fusion):
    neck = _neck(num_fused=3, fusion=fusion).train()
    _, fused = neck(_feats(batch=4, seed=2))
    fused.square().mean().backward()
    for reduction in neck.reductions:
        assert reduction.conv.weight.grad.abs().sum() > 0
    for conv in [*neck.mca.latent_convs, *neck.mca.attention_convs]:
        assert conv.weight.grad.abs().sum() > 0
        assert conv.bias.grad.abs().sum() > 0


def test_neck_rejects_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match=r'num_fused must be in \[1, 4\].*5'):
        _neck(num_fused=5)
    with pytest.raises(ValueError, match=r'num_fused must be in \[1, 4\].*0'):
        _neck(num_fused=0)
    with pytest.raises(ValueError, match=r"'mul', 'add', 'concat'.*'sum'"):
        _neck(fusion='sum')
    neck = _neck()
    feats = _feats()
    with pytest.raises(ValueError, match='inputs has 3 maps'):
        neck(feats[1:])
    with pytest.raises(ValueError, match=r'inputs\[0\] has 4 channels'):
        neck([feats[1]] + feats[1:])


# Options of the official code: BN + ReLU in MCA's squeeze path, the deepest
# branch at the fused resolution, align_corners=True.


def test_mca_squeeze_norm_and_activation_hand_computed():
    """Two 1-channel inputs, latent of 1 channel, BN (batch statistics) +
    ReLU after each squeeze conv: the latent is non-negative."""
    mca = _build(type='MultiplicativeChannelAttention', in_channels=[1, 1],
                 latent_channels=1, norm_cfg=dict(type='BN'),
                 act_cfg=dict(type='ReLU')).train()
    with torch.no_grad():
        for conv in mca.latent_convs:
            conv.weight.fill_(1.)
            conv.bias.fill_(0.)
        for conv in mca.attention_convs:
            conv.weight.fill_(2.)
            conv.bias.fill_(-1.)
    # GAP of x: 1 and 3 over the batch; of y: 2 and 6.
    x = torch.tensor([1., 3.]).reshape(2, 1, 1, 1).expand(2, 1, 2, 2)
    y = torch.tensor([2., 6.]).reshape(2, 1, 1, 1)
    out_x, out_y = mca([x, y])
    # BN over the batch (biased variance, eps 1e-5): x -> (-1, 1) / sqrt(1 +
    # eps), y -> (-2, 2) / sqrt(4 + eps); ReLU -> (0, .), so V = (0, v1).
    v1 = 1 / math.sqrt(1 + 1e-5) * 2 / math.sqrt(4 + 1e-5)
    attention = torch.tensor([1 / (1 + math.exp(1)),
                              1 / (1 + math.exp(-(2 * v1 - 1)))])
    torch.testing.assert_close(out_x, x * attention[:, None, None, None],
                               rtol=0, atol=1e-6)
    torch.testing.assert_close(out_y, y * attention[:, None, None, None],
                               rtol=0, atol=1e-6)
    # Without the ReLU, sample 0's two negative normalised values multiply
    # to +v1: its attention equals sample 1's.
    plain = _build(type='MultiplicativeChannelAttention', in_channels=[1, 1],
                   latent_channels=1, norm_cfg=dict(type='BN')).train()
    plain.load_state_dict(mca.state_dict())
    out_plain, _ = plain([x, y])
    torch.testing.assert_close(
        out_plain[:, 0, 0, 0],
        torch.tensor([1 / (1 + math.exp(-(2 * v1 - 1))),
                      3 / (1 + math.exp(-(2 * v1 - 1)))]),
        rtol=0, atol=1e-6)


def test_mca_default_has_no_norm_layers():
    mca = _build(type='MultiplicativeChannelAttention', in_channels=[3, 4])
    assert not any('latent_norm_acts' in k for k in mca.state_dict())
    official = _build(type='MultiplicativeChannelAttention',
                      in_channels=[3, 4], latent_channels=128,
                      norm_cfg=dict(type='BN'), act_cfg=dict(type='ReLU'))
    assert official.latent_convs[0].out_channels == 128
    assert isinstance(official.latent_norm_acts[1][0], torch.nn.BatchNorm2d)
    assert isinstance(official.latent_norm_acts[1][1], torch.nn.ReLU)


@pytest.mark.parametrize('align_corners', [False, True])
def test_neck_resize_deepest_and_align_corners(align_corners):
    neck = _neck(num_fused=3, resize_deepest=True,
                 align_corners=align_corners).eval()
    feats = _feats()
    with torch.no_grad():
        deepest, fused = neck(feats)
        branches = [red(f) for red, f in
                    zip(neck.reductions, neck.mca(feats[-3:]))]
        resized = [F.interpolate(b, size=(SIZES[1], SIZES[1]),
                                 mode='bilinear', align_corners=align_corners)
                   for b in branches]
    assert deepest.shape == (2, OUT, SIZES[1], SIZES[1])
    torch.testing.assert_close(deepest, resized[-1], rtol=0, atol=1e-6)
    torch.testing.assert_close(fused, resized[0] * resized[1] * resized[2],
                               rtol=1e-5, atol=1e-6)
    # align_corners=True keeps the corner values of the 2x2 middle branch.
    if align_corners:
        torch.testing.assert_close(resized[1][..., 0, 0],
                                   branches[1][..., 0, 0], rtol=0, atol=1e-6)
