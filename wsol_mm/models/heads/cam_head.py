"""Global average pooling + linear classifier, whose weights give CAMs."""
from typing import List, Optional

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample


@MODELS.register_module()
class CAMHead(BaseModule):
    """The classifier of CAM (Zhou et al., CVPR 2016).

    Logits are ``W @ GAP(F) + b``; the class activation map of class ``k`` is
    ``sum_c W[k, c] * F_c`` (the bias is constant over the map and dropped).

    Args:
        num_classes (int): Number of classes.
        in_channels (int): Channels of the feature map.
        loss (dict): Classification loss config.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 loss: dict = dict(type='mmpretrain.CrossEntropyLoss'),
                 init_cfg: Optional[dict] = dict(
                     type='Normal', layer='Linear', std=0.01)):
        super().__init__(init_cfg=init_cfg)
        if num_classes <= 0:
            raise ValueError(f'num_classes must be positive, got {num_classes}')
        self.num_classes = num_classes
        self.fc = nn.Linear(in_channels, num_classes)
        self.loss_module = MODELS.build(loss)

    def forward(self, feature_map: torch.Tensor) -> torch.Tensor:
        """Class logits (B, num_classes) of a (B, C, h, w) feature map."""
        return self.fc(feature_map.mean(dim=(2, 3)))

    def class_activation_maps(self, feature_map: torch.Tensor,
                              class_indices: torch.Tensor) -> torch.Tensor:
        """Maps (B, K, h, w) of the classes ``class_indices`` (B, K)."""
        weights = self.fc.weight[class_indices]
        return torch.einsum('bkc,bchw->bkhw', weights, feature_map)

    def loss(self, feature_map: torch.Tensor,
             data_samples: List[WSOLDataSample]) -> dict:
        """Loss on the soft targets ``gt_score`` (set by batch
        augmentations such as CutMix) when every sample has one, else on
        ``gt_label``; the accuracy counts the target's argmax."""
        logits = self(feature_map)
        if all('gt_score' in ds for ds in data_samples):
            target = torch.stack([ds.gt_score for ds in data_samples]).to(
                logits)
            if target.shape != logits.shape:
                raise ValueError(
                    f'gt_score of shape {tuple(target.shape[1:])} for '
                    f'{self.num_classes} classes; check num_classes')
            hard_target = target.argmax(1)
        else:
            target = torch.cat([ds.gt_label for ds in data_samples])
            if int(target.max()) >= self.num_classes or int(target.min()) < 0:
                raise ValueError(
                    f'a label of {target.tolist()} is outside [0, '
                    f'{self.num_classes}); check model.head.num_classes')
            hard_target = target
        with torch.no_grad():
            accuracy = (logits.argmax(1) == hard_target).float().mean() * 100
        return dict(loss_cls=self.loss_module(logits, target),
                    accuracy=accuracy)

    def predict(self, feature_map: torch.Tensor) -> torch.Tensor:
        """Class probabilities (B, num_classes)."""
        return self(feature_map).softmax(dim=1)
