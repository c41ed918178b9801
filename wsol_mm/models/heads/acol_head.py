"""The two adversarial classifiers of ACoL (Zhang et al., CVPR 2018)."""
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample
from ..backbones.wsoleval_init import WSOLEVAL_CONV_INIT
from ..utils import normalize_score_maps
from .cam_head import accuracy


def acol_erasing_mask(attention: torch.Tensor,
                      threshold: float) -> torch.Tensor:
    """wsolevaluation's ``_erase_attention`` mask: 0 where the (min-max
    normalised) ``attention`` is ``>= threshold``, 1 elsewhere."""
    return (attention < threshold).to(attention.dtype)


@MODELS.register_module()
class ACoLHead(BaseModule):
    """Classifiers A and B of ACoL as wsolevaluation builds them
    (``wsol/method/acol.py``, ``VggAcol`` / ``ResNetAcol`` /
    ``InceptionAcol``).

    ``classifier_a`` and ``classifier_b`` are each conv3x3
    ``in_channels`` -> ``mid_channels`` + ReLU, conv3x3 ``mid_channels`` ->
    ``mid_channels`` + ReLU, conv1x1 -> ``num_classes``; the logits are the
    spatial means of their class maps. B sees the feature map times
    :func:`acol_erasing_mask` of A's map of the class (the label in training,
    min-max normalised per image, detached). The classification is A's.
    Loss: ``loss_cls_a + loss_cls_b`` (cross entropy each, weight 1 in
    wsolevaluation); ``accuracy`` of A.

    :meth:`class_activation_maps` gives wsolevaluation's ACoL CAM of class
    ``k``: ``max(norm(A_k), norm(B_k))``, with B run on the features erased
    with class ``k`` and ``norm`` the spatial min-max of ``normalize_tensor``.

    Args:
        num_classes (int): Number of classes.
        in_channels (int): Channels of the feature map (ResNet-50 layer4
            2048, VGG16 512, InceptionV3 Mixed_6e 768).
        mid_channels (int): Width of the classifiers. Defaults to 1024.
        erase_threshold (float): wsolevaluation's ``acol_threshold`` (0.7).
        loss (dict): Classification loss of each branch.
        init_cfg (dict): wsolevaluation's ``xavier`` init (VGG16 and
            InceptionV3; xavier_uniform, bias 0) by default; ResNet-50 uses
            ``he`` (``WSOLEVAL_CONV_INIT['he']``: ``dict(type='Kaiming',
            layer='Conv2d', mode='fan_out', nonlinearity='relu',
            distribution='normal', bias=0)``).
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 mid_channels: int = 1024,
                 erase_threshold: float = 0.7,
                 loss: dict = dict(type='mmpretrain.CrossEntropyLoss'),
                 init_cfg: Optional[dict] = WSOLEVAL_CONV_INIT['xavier']):
        super().__init__(init_cfg=init_cfg)
        if num_classes <= 0:
            raise ValueError(
                f'num_classes must be positive, got {num_classes}')
        if not 0 < erase_threshold <= 1:
            raise ValueError('erase_threshold must be in (0, 1], got '
                             f'{erase_threshold}')
        self.num_classes = num_classes
        self.erase_threshold = erase_threshold
        self.classifier_a = self._classifier(in_channels, mid_channels)
        self.classifier_b = self._classifier(in_channels, mid_channels)
        self.loss_module = MODELS.build(loss)

    def _classifier(self, in_channels: int, mid_channels: int):
        return nn.Sequential(
            nn.Conv2d(in_channels, mid_channels, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(mid_channels, mid_channels, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(mid_channels, self.num_classes, kernel_size=1))

    def forward(self, feature_map: torch.Tensor) -> torch.Tensor:
        """Class logits (B, num_classes) of classifier A."""
        return self.classifier_a(feature_map).mean(dim=(2, 3))

    def erase(self, feature_map: torch.Tensor, maps_a: torch.Tensor,
              labels: torch.Tensor) -> torch.Tensor:
        """The feature map with the pixels where A's normalised map of
        ``labels`` (B,) reaches ``erase_threshold`` set to 0."""
        rows = torch.arange(maps_a.shape[0], device=maps_a.device)
        attention = normalize_score_maps(maps_a.detach()[rows, labels])
        mask = acol_erasing_mask(attention, self.erase_threshold)
        return feature_map * mask[:, None]

    def branch_maps(self, feature_map: torch.Tensor,
                    labels: Optional[torch.Tensor] = None
                    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Class maps (B, num_classes, h, w) of A and of B, B erased with
        ``labels`` (B,), A's argmax when None (wsolevaluation)."""
        maps_a = self.classifier_a(feature_map)
        if labels is None:
            labels = maps_a.mean(dim=(2, 3)).argmax(1)
        maps_b = self.classifier_b(self.erase(feature_map, maps_a, labels))
        return maps_a, maps_b

    def _labels(self, data_samples: List[WSOLDataSample],
                device: torch.device) -> torch.Tensor:
        labels = torch.cat([ds.gt_label for ds in data_samples]).to(device)
        if len(labels) != len(data_samples):
            raise ValueError('ACoL needs one gt_label per sample, got '
                             f'{len(labels)} for {len(data_samples)} samples')
        if int(labels.max()) >= self.num_classes or int(labels.min()) < 0:
            raise ValueError(
                f'a label of {labels.tolist()} is outside [0, '
                f'{self.num_classes}); check model.head.num_classes')
        return labels

    def loss(self, feature_map: torch.Tensor,
             data_samples: List[WSOLDataSample]) -> dict:
        """``loss_cls_a``, ``loss_cls_b`` and A's ``accuracy``; B is erased
        with the ground-truth labels."""
        labels = self._labels(data_samples, feature_map.device)
        maps_a, maps_b = self.branch_maps(feature_map, labels)
        logits_a = maps_a.mean(dim=(2, 3))
        return dict(
            loss_cls_a=self.loss_module(logits_a, labels),
            loss_cls_b=self.loss_module(maps_b.mean(dim=(2, 3)), labels),
            accuracy=accuracy(logits_a, labels))

    def predict(self, feature_map: torch.Tensor) -> torch.Tensor:
        """Class probabilities (B, num_classes) of classifier A."""
        return self(feature_map).softmax(dim=1)

    def class_activation_maps(self, feature_map: torch.Tensor,
                              class_indices: torch.Tensor) -> torch.Tensor:
        """Maps (B, K, h, w) ``max(norm(A_k), norm(B_k))`` of the classes
        ``class_indices`` (B, K), B erased with each class ``k`` itself."""
        maps_a = self.classifier_a(feature_map)
        rows = torch.arange(maps_a.shape[0], device=maps_a.device)
        maps = []
        for labels in class_indices.t():
            maps_b = self.classifier_b(
                self.erase(feature_map, maps_a, labels))
            maps.append(torch.max(
                normalize_score_maps(maps_a[rows, labels]),
                normalize_score_maps(maps_b[rows, labels])))
        return torch.stack(maps, dim=1)
