"""VGG16 of wsolevaluation (``wsol/vgg.py``): torchvision's VGG16 features
without pool5 (and without pool4 for 28x28 maps), plus the ``conv6`` of
VGG16-GAP."""
from typing import List, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmpretrain.models.backbones.base_backbone import BaseBackbone

from wsol_mm.registry import MODELS
from .wsoleval_init import wsoleval_init_cfg

# Output channels of conv1_1 .. conv5_3, 'P' = a pool (pool1 .. pool4).
_VGG16_PLAN = (64, 64, 'P', 128, 128, 'P', 256, 256, 256, 'P',
               512, 512, 512, 'P', 512, 512, 512)


def _pools(pooling: str, large_feature_map: bool) -> List[nn.Module]:
    """pool1 .. pool4 (and pool5 for ACoL), as wsolevaluation's
    ``configs_dict`` ('M' 2x2/2, 'M1' 3x3/2 pad 1, 'M2' 3x3/1 pad 1)."""
    if pooling == 'acol':
        pools = [nn.MaxPool2d(3, stride=2, padding=1) for _ in range(3)]
        pool4 = (nn.MaxPool2d(3, stride=1, padding=1) if large_feature_map
                 else nn.MaxPool2d(3, stride=2, padding=1))
        return pools + [pool4, nn.MaxPool2d(3, stride=1, padding=1)]
    pools = [nn.MaxPool2d(2, stride=2) for _ in range(3)]
    if large_feature_map:
        return pools + [nn.Identity()]
    if pooling == 'spg':  # VggSpg: F.max_pool2d(3, 2, 1) after SPG_A_1
        return pools + [nn.MaxPool2d(3, stride=2, padding=1)]
    return pools + [nn.MaxPool2d(2, stride=2)]


@MODELS.register_module()
class VGG16GAP(BaseBackbone):
    """VGG16 backbone of wsolevaluation's VGG16 CAM / ACoL / SPG / ADL.

    ``features`` has torchvision ``vgg16``'s indices, so
    ``torchvision://vgg16`` loads without renaming (its ``classifier.*`` are
    unexpected). The named layers (configs reference them, e.g. ADL plugins
    and SPG taps)::

        conv1_1 0, conv1_2 2, pool1 4, conv2_1 5, conv2_2 7, pool2 9,
        conv3_1 10, conv3_2 12, conv3_3 14, pool3 16,
        conv4_1 17, conv4_2 19, conv4_3 21 (its ReLU 22), pool4 23,
        conv5_1 24, conv5_2 26, conv5_3 28 (its ReLU 29), [pool5 30: ACoL]

    (ReLU ``k+1`` follows conv ``k``; the ReLUs are in-place, so record or
    modify the output of a ReLU, not of a conv.)

    - ``pooling='max'`` (VggCam, ADL): pools 1-4 2x2/2, no pool5: 14x14 at
      224; ``large_feature_map`` makes pool4 an ``nn.Identity``: 28x28.
    - ``pooling='acol'`` (VggAcol): pools 1-4 3x3/2 pad 1 (pool4 3x3/1 pad 1
      when large), pool5 3x3/1 pad 1, then ``acol_avgpool`` = AvgPool 3/1/1
      (use ``with_conv6=False``: 512 channels).
    - ``pooling='spg'`` (VggSpg): pools 1-3 2x2/2, pool4 3x3/2 pad 1
      (identity when large). SPG's branch B1 reads ``features.23`` (conv4_3
      block + its pool), B2 ``features.29`` (conv5_3); SPG's two new 3x3
      512 convs (``SPG_A_3``) are not part of the backbone (use
      ``with_conv6=False``). wsolevaluation renames conv4/conv5 to
      ``SPG_A_1`` / ``SPG_A_2``, which gives them the x10 learning rate of
      new layers; here they keep their ``features.N`` names.
    - ``conv6`` (VggCam, also ADL): Conv2d 512 -> 1024 3x3 pad 1, then
      ``relu6``: 1024 channels.

    Args:
        large_feature_map (bool): 28x28 instead of 14x14 maps at 224.
        pooling (str): 'max', 'acol' or 'spg'.
        with_conv6 (bool): Add ``conv6`` + ``relu6``.
        init_mode (str, optional): wsolevaluation's initialisation of the
            layers that no checkpoint overwrites, 'he' or 'xavier'. Defaults
            to 'he' with ``conv6`` (VggCam) and 'xavier' without (VggAcol,
            VggSpg).
        init_cfg (dict | list[dict], optional): applied after that
            initialisation, e.g. ``dict(type='Pretrained',
            checkpoint='torchvision://vgg16')``.

    Returns a one-tuple: the last feature map.
    """

    POOLINGS = ('max', 'acol', 'spg')

    def __init__(self,
                 large_feature_map: bool = False,
                 pooling: str = 'max',
                 with_conv6: bool = True,
                 init_mode: Optional[str] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None):
        if pooling not in self.POOLINGS:
            raise ValueError(f'pooling must be one of {self.POOLINGS}, got '
                             f'{pooling!r}')
        if init_mode is None:
            init_mode = 'he' if with_conv6 else 'xavier'
        super().__init__(init_cfg=wsoleval_init_cfg(init_mode, init_cfg))
        pools = iter(_pools(pooling, large_feature_map))
        layers, in_channels = [], 3
        for step in _VGG16_PLAN:
            if step == 'P':
                layers.append(next(pools))
            else:
                layers += [nn.Conv2d(in_channels, step, 3, padding=1),
                           nn.ReLU(inplace=True)]
                in_channels = step
        layers.extend(pools)  # pool5 of ACoL
        self.features = nn.Sequential(*layers)
        self.acol_avgpool = (nn.AvgPool2d(3, stride=1, padding=1)
                             if pooling == 'acol' else None)
        self.with_conv6 = with_conv6
        if with_conv6:
            self.conv6 = nn.Conv2d(512, 1024, 3, padding=1)
            self.relu6 = nn.ReLU(inplace=False)
        self.out_channels = 1024 if with_conv6 else 512

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        x = self.features(x)
        if self.acol_avgpool is not None:
            x = self.acol_avgpool(x)
        if self.with_conv6:
            x = self.relu6(self.conv6(x))
        return (x, )
