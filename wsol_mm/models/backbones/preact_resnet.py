"""Pre-activation ResNet-18/34 (He et al., "Identity Mappings in Deep
Residual Networks", ECCV 2016), the backbone of "Improved Techniques for
WSOL" (Choe, Park, Shim) on 64x64 Tiny ImageNet."""
from typing import Optional, Sequence

import torch
import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmpretrain.models.backbones.base_backbone import BaseBackbone

from wsol_mm.registry import MODELS

STEMS = ('cifar', 'imagenet')
# Stage strides of each stem when none are given: 8x8 / 4x4 maps at 64x64.
DEFAULT_STRIDES = dict(cifar=(1, 2, 2, 2), imagenet=(1, 2, 2, 1))


class PreActBasicBlock(nn.Module):
    """BN-ReLU-conv3x3-BN-ReLU-conv3x3 plus a shortcut.

    ``a = relu(bn1(x))`` when ``preact`` (``a = x`` otherwise: the input is
    already activated, by the stem or the previous stage); the output is
    ``conv2(relu(bn2(conv1(a)))) + s`` with ``s = downsample(a)``, a 1x1
    conv without BN on the *pre-activated* input, when the shape changes
    (He et al.'s projection shortcut with pre-activation), else ``s = x``.
    Convolutions have no bias.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        stride (int): Stride of ``conv1`` and of the shortcut.
        preact (bool): Apply ``bn1`` + ReLU to the input.
        norm_cfg (dict): Norm layer config.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 stride: int = 1,
                 preact: bool = True,
                 norm_cfg: dict = dict(type='BN')):
        super().__init__()
        self.preact = preact
        if preact:
            self.bn1 = build_norm_layer(norm_cfg, in_channels)[1]
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1,
                               bias=False)
        self.bn2 = build_norm_layer(norm_cfg, out_channels)[1]
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1,
                               bias=False)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Conv2d(in_channels, out_channels, 1, stride,
                                        bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        activated = self.relu(self.bn1(x)) if self.preact else x
        shortcut = x if self.downsample is None else \
            self.downsample(activated)
        out = self.relu(self.bn2(self.conv1(activated)))
        return self.conv2(out) + shortcut


@MODELS.register_module()
class PreActResNet(BaseBackbone):
    """Pre-activation ResNet with basic blocks, [2, 2, 2, 2] (18) or
    [3, 4, 6, 3] (34) per stage, widths ``base_channels * (1, 2, 4, 8)``.

    Layout as fb.resnet.torch's ``preresnet.lua`` and Tensorpack's
    ``resnet_model.py`` (``CAM-resnet.py``, the framework of paper 002): the
    stem is conv + BN + ReLU (+ max pool); the first block of ``layer1``
    reads that activated output without a pre-activation; the first block of
    every later stage pre-activates its input for both branches (Tensorpack
    writes this BN + ReLU as the previous group's ``bnlast``: the same
    computation); the other blocks pre-activate their residual branch only.
    After ``layer4`` a final BN + ReLU (``final_norm``; Tensorpack's
    ``group3new/bnlast``, the map CAM reads).

    Stems. Paper 002 uses the pre-activation ResNet "with slight modification
    to the size of input layer" for 64x64 inputs and does not say which.
    ``'cifar'`` (our choice, the default): conv 3x3 stride 1, no max pool,
    the stem of He et al.'s CIFAR networks. ``'imagenet'``: conv 7x7 stride 2
    + max pool 3 stride 2 (Tensorpack's ``conv0`` / ``pool0``; PyTorch pads
    3 / 1 on both sides where TF's 'SAME' pads 2 / 3).

    ``strides`` are those of the first block of each stage. By default
    (``None``) each stem has its own: (1, 2, 2, 2) with ``'cifar'`` (the
    CIFAR networks' three halvings after ``layer1``): 8x8 maps at 64x64;
    (1, 2, 2, 1) with ``'imagenet'``, ``CAM-resnet.py``'s (its last group
    ``group3new`` keeps stride 1): 4x4 at 64, 14x14 at 224. (A stride-1
    stem with (1, 2, 2, 1) would give 16x16 maps at 64.)

    Args:
        depth (int): 18 or 34.
        stem (str): ``'cifar'`` or ``'imagenet'``.
        strides (Sequence[int], optional): Stride of each of the 4 stages;
            None: the stem's default (see above).
        in_channels (int): Input image channels.
        base_channels (int): Width of the stem and of ``layer1``.
        out_indices (Sequence[int]): Stages whose outputs are returned, in a
            tuple. Stage 3's is the final BN + ReLU output; earlier ones are
            the raw residual sums (a pre-activation network activates them
            inside the next block).
        norm_cfg (dict): Norm layer config.
        init_cfg (dict | list[dict], optional): Kaiming normal (fan_out,
            ReLU) convs, BN weight 1 (Tensorpack's ``variance_scaling(2.0,
            'fan_out')``).
    """
    arch_settings = {18: (2, 2, 2, 2), 34: (3, 4, 6, 3)}

    def __init__(self,
                 depth: int,
                 stem: str = 'cifar',
                 strides: Optional[Sequence[int]] = None,
                 in_channels: int = 3,
                 base_channels: int = 64,
                 out_indices: Sequence[int] = (3, ),
                 norm_cfg: dict = dict(type='BN', requires_grad=True),
                 init_cfg: Optional[dict] = [
                     dict(type='Kaiming', layer=['Conv2d']),
                     dict(type='Constant', val=1,
                          layer=['_BatchNorm', 'GroupNorm'])
                 ]):
        super().__init__(init_cfg)
        if depth not in self.arch_settings:
            raise KeyError(f'PreActResNet: depth must be one of '
                           f'{sorted(self.arch_settings)}, got {depth!r}')
        if stem not in STEMS:
            raise ValueError(f'PreActResNet: stem must be one of {STEMS}, '
                             f'got {stem!r}')
        strides = tuple(strides or DEFAULT_STRIDES[stem])
        if len(strides) != 4 or any(s < 1 for s in strides):
            raise ValueError('PreActResNet: strides must be 4 positive '
                             f'ints, one per stage, got {strides}')
        out_indices = tuple(out_indices)
        if not out_indices or not set(out_indices) <= {0, 1, 2, 3}:
            raise ValueError('PreActResNet: out_indices must be stage '
                             f'indices in 0..3, got {out_indices}')
        self.depth = depth
        self.stem = stem
        self.strides = strides
        self.out_indices = out_indices

        if stem == 'cifar':
            self.conv1 = nn.Conv2d(in_channels, base_channels, 3, 1, 1,
                                   bias=False)
            self.maxpool = None
        else:
            self.conv1 = nn.Conv2d(in_channels, base_channels, 7, 2, 3,
                                   bias=False)
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.bn1 = build_norm_layer(norm_cfg, base_channels)[1]
        self.relu = nn.ReLU(inplace=True)

        self.res_layers = []
        channels = base_channels
        for i, (num_blocks, stride) in enumerate(
                zip(self.arch_settings[depth], strides)):
            width = base_channels * 2**i
            blocks = [
                PreActBasicBlock(
                    channels if b == 0 else width, width,
                    stride=stride if b == 0 else 1,
                    preact=not (i == 0 and b == 0), norm_cfg=norm_cfg)
                for b in range(num_blocks)
            ]
            channels = width
            self.add_module(f'layer{i + 1}', nn.Sequential(*blocks))
            self.res_layers.append(f'layer{i + 1}')
        self.final_norm = build_norm_layer(norm_cfg, channels)[1]
        self.feat_dim = channels

    def forward(self, x: torch.Tensor) -> tuple:
        x = self.relu(self.bn1(self.conv1(x)))
        if self.maxpool is not None:
            x = self.maxpool(x)
        outs = []
        for i, name in enumerate(self.res_layers):
            x = getattr(self, name)(x)
            if i == len(self.res_layers) - 1:
                x = self.relu(self.final_norm(x))
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)
