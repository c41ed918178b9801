"""Global average pooling + linear classifier, whose weights give CAMs."""
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample


def accuracy(logits: torch.Tensor, hard_target: torch.Tensor) -> torch.Tensor:
    """Percentage of rows of ``logits`` whose argmax is ``hard_target``."""
    with torch.no_grad():
        return (logits.argmax(1) == hard_target).float().mean() * 100


@MODELS.register_module()
class CAMHead(BaseModule):
    """The classifier of CAM (Zhou et al., CVPR 2016).

    Logits are ``W @ GAP(F) + b``; the class activation map of class ``k`` is
    ``sum_c W[k, c] * F_c`` (the bias is constant over the map and dropped
    unless asked for).

    The official SPOL code classifies with a 1x1 conv, a ReLU on the class
    maps and then the spatial mean, after a dropout of 0.5 on the feature map
    (``dropout=0.5, relu_before_pool=True``): logits
    ``GAP(relu(W F + b))``, which is no longer ``W GAP(F) + b``.

    Args:
        num_classes (int): Number of classes.
        in_channels (int): Channels of the feature map.
        loss (dict): Classification loss config.
        dropout (float): Element-wise dropout probability on the feature map
            before the classifier, in training only. Defaults to 0.
        relu_before_pool (bool): Logits ``GAP(relu(W F + b))`` instead of
            ``W GAP(F) + b``. Defaults to False.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 loss: dict = dict(type='mmpretrain.CrossEntropyLoss'),
                 dropout: float = 0.,
                 relu_before_pool: bool = False,
                 init_cfg: Optional[dict] = dict(
                     type='Normal', layer='Linear', std=0.01)):
        super().__init__(init_cfg=init_cfg)
        if num_classes <= 0:
            raise ValueError(f'num_classes must be positive, got {num_classes}')
        if not 0 <= dropout < 1:
            raise ValueError(f'dropout must be in [0, 1), got {dropout}')
        self.num_classes = num_classes
        self.relu_before_pool = relu_before_pool
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.fc = nn.Linear(in_channels, num_classes)
        self.loss_module = MODELS.build(loss)

    def forward(self, feature_map: torch.Tensor) -> torch.Tensor:
        """Class logits (B, num_classes) of a (B, C, h, w) feature map."""
        feature_map = self.dropout(feature_map)
        if not self.relu_before_pool:
            return self.fc(feature_map.mean(dim=(2, 3)))
        class_maps = torch.einsum('kc,bchw->bkhw', self.fc.weight,
                                  feature_map)
        class_maps = class_maps + self.fc.bias[None, :, None, None]
        return class_maps.relu().mean(dim=(2, 3))

    def class_activation_maps(self, feature_map: torch.Tensor,
                              class_indices: torch.Tensor,
                              with_bias: bool = False) -> torch.Tensor:
        """Maps (B, K, h, w) ``W F`` (``W F + b`` with ``with_bias``) of the
        classes ``class_indices`` (B, K)."""
        weights = self.fc.weight[class_indices]
        maps = torch.einsum('bkc,bchw->bkhw', weights, feature_map)
        if with_bias:
            maps = maps + self.fc.bias[class_indices][:, :, None, None]
        return maps

    def targets(self, data_samples: List[WSOLDataSample],
                device: Optional[torch.device] = None
                ) -> Tuple[torch.Tensor, torch.Tensor]:
        """``(target, hard_target)``: the soft targets ``gt_score`` (set by
        batch augmentations such as CutMix) when every sample has one, else
        the labels ``gt_label``; ``hard_target`` is the target's argmax."""
        if all('gt_score' in ds for ds in data_samples):
            target = torch.stack([ds.gt_score for ds in data_samples]).to(
                device)
            if target.shape[1:] != (self.num_classes, ):
                raise ValueError(
                    f'gt_score of shape {tuple(target.shape[1:])} for '
                    f'{self.num_classes} classes; check num_classes')
            return target, target.argmax(1)
        target = torch.cat([ds.gt_label for ds in data_samples]).to(device)
        if int(target.max()) >= self.num_classes or int(target.min()) < 0:
            raise ValueError(
                f'a label of {target.tolist()} is outside [0, '
                f'{self.num_classes}); check model.head.num_classes')
        return target, target

    def loss_of_logits(self, logits: torch.Tensor,
                       data_samples: List[WSOLDataSample]) -> dict:
        """``loss_cls`` of ``logits`` against the :meth:`targets` and the
        ``accuracy`` of their argmax."""
        target, hard_target = self.targets(data_samples, logits.device)
        if target.is_floating_point():
            target = target.to(logits)
        return dict(loss_cls=self.loss_module(logits, target),
                    accuracy=accuracy(logits, hard_target))

    def loss(self, feature_map: torch.Tensor,
             data_samples: List[WSOLDataSample]) -> dict:
        """:meth:`loss_of_logits` of the feature map's logits."""
        return self.loss_of_logits(self(feature_map), data_samples)

    def predict(self, feature_map: torch.Tensor) -> torch.Tensor:
        """Class probabilities (B, num_classes)."""
        return self(feature_map).softmax(dim=1)
