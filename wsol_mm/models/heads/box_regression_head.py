"""SLT-Net's regressor head: two fully connected layers after the backbone."""
from typing import Optional

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from wsol_mm.registry import MODELS

OUT_ACTIVATIONS = ('relu', 'sigmoid', 'none')


@MODELS.register_module()
class BoxRegressionHead(BaseModule):
    """Pooling + ``Linear(in_channels * pool_size ** 2, hidden_channels)`` +
    ReLU + ``Linear(hidden_channels, 4)`` + ``out_act``: one box per image.

    SLT-Net (section 3.1): "adding two fully connected layers and
    corresponding ReLU layers behind the backbone network", hence
    ``out_act='relu'`` by default; PSOL's regressors (the template, hidden
    width 512) end with a sigmoid (``'sigmoid'``, for boxes normalised to
    [0, 1]); ``'none'`` leaves the output linear.

    The output layer's bias starts at 1 (the other weights as MMPretrain's
    heads: normal, std 0.01, bias 0): with a ReLU output, a coordinate whose
    pre-activation starts negative for every image would get no gradient
    from the loss.

    ``pool_size=1`` is global average pooling, as PSOL's regressors. A
    larger ``pool_size`` averages the map onto a ``pool_size`` x
    ``pool_size`` grid and flattens it, as VGG16's fc6 reads its 7x7 pool5
    grid: the fully connected layers then see where the features are
    (measured on the synthetic demo data, a ResNet-18 from scratch, 150
    iterations on the GT boxes: test GT-known Loc 7.5 with GAP, 98.75 with
    a 4x4 grid).

    Args:
        in_channels (int): channels of the feature map.
        pool_size (int): side of the pooled grid, 1 for GAP.
        hidden_channels (int): width of the hidden layer (512, PSOL's).
        out_act (str): one of :data:`OUT_ACTIVATIONS`.
        loss (dict): the box loss config (:class:`SmoothL1BoxLoss`).
    """

    def __init__(self,
                 in_channels: int,
                 hidden_channels: int = 512,
                 out_act: str = 'relu',
                 pool_size: int = 1,
                 loss: dict = dict(type='SmoothL1BoxLoss'),
                 init_cfg: Optional[dict] = dict(
                     type='Normal', layer='Linear', std=0.01,
                     override=dict(type='Normal', name='out_fc', std=0.01,
                                   bias=1.))):
        super().__init__(init_cfg=init_cfg)
        if out_act not in OUT_ACTIVATIONS:
            raise ValueError(f'out_act must be one of {OUT_ACTIVATIONS}, got '
                             f'{out_act!r}')
        for key, value in (('in_channels', in_channels),
                           ('hidden_channels', hidden_channels),
                           ('pool_size', pool_size)):
            if int(value) <= 0:
                raise ValueError(f'{key} must be positive, got {value}')
        self.out_act = out_act
        self.pool = nn.AdaptiveAvgPool2d(pool_size)
        self.hidden_fc = nn.Linear(in_channels * pool_size**2,
                                   hidden_channels)
        self.relu = nn.ReLU(inplace=True)
        self.out_fc = nn.Linear(hidden_channels, 4)
        self.loss_module = MODELS.build(loss)

    def forward(self, feature_map: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) features -> (B, 4) boxes in normalised units."""
        boxes = self.out_fc(self.relu(self.hidden_fc(
            self.pool(feature_map).flatten(1))))
        if self.out_act == 'relu':
            return torch.relu(boxes)
        if self.out_act == 'sigmoid':
            return torch.sigmoid(boxes)
        return boxes

    def loss(self, feature_map: torch.Tensor,
             target_boxes: torch.Tensor) -> dict:
        """``dict(loss_reg=...)`` against (B, 4) normalised targets."""
        return dict(loss_reg=self.loss_module(self(feature_map),
                                              target_boxes))

    def predict(self, feature_map: torch.Tensor) -> torch.Tensor:
        """(B, 4) boxes in normalised units."""
        return self(feature_map)
