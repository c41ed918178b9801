"""MFF-Net: CAM on fused shallow and deep features, with an auxiliary loss."""
from typing import List, Optional, Tuple

import torch

from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample
from .cam import CAM


@MODELS.register_module()
class MFFNet(CAM):
    """The CAM generator of SPOL (Wei et al., CVPR 2021, sections 3.2-3.5).

    The neck (:class:`MFFNeck`) returns ``(deepest, fused)``; the head
    classifies ``fused`` and gives the CAMs of ``predict``. SPOL's "CAM head
    whose spatial mean gives the logits" is :class:`CAMHead`: by linearity, a
    linear layer on the spatial mean equals the spatial mean of the 1x1-conv
    class maps. The joint loss is ``L_c = L_cls + L_aux`` (section 3.5), with
    ``L_aux`` the loss of ``aux_head`` on ``deepest``.

    Args:
        backbone (dict): e.g. ``dict(type='mmpretrain.ResNet', depth=50,
            out_indices=(1, 2, 3))``.
        neck (dict): ``dict(type='MFFNeck', ...)`` or a neck with the same
            ``(deepest, fused)`` output.
        head (dict): the classifier of the fused map, ``CAMHead``.
        aux_head (dict, optional): the classifier of the deepest branch
            (``CAMHead`` with the neck's ``out_channels``); ``None`` drops
            the auxiliary loss.
        feature_loss (dict, optional): a loss on the image vectors
            (:meth:`pooled_features`) and labels, added as ``loss_feature``:
            ISIC's ``dict(type='ICFSLoss', loss_weight=1.0)`` (Eq. 6, the
            weight is lambda).
        test_cfg (dict, optional): ``topk`` (1) and ``cam_threshold`` (0.2).
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 aux_head: Optional[dict] = None,
                 feature_loss: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(
            backbone=backbone,
            head=head,
            neck=neck,
            data_preprocessor=data_preprocessor,
            test_cfg=test_cfg,
            init_cfg=init_cfg)
        self.aux_head = (
            MODELS.build(aux_head) if aux_head is not None else None)
        self.feature_loss = (
            MODELS.build(feature_loss) if feature_loss is not None else None)

    def deepest_and_fused(self, inputs: torch.Tensor
                          ) -> Tuple[torch.Tensor, torch.Tensor]:
        """The neck's (deepest, fused) feature maps of ``inputs``."""
        feats = self.neck(self.backbone(inputs))
        if not isinstance(feats, (tuple, list)) or len(feats) != 2:
            raise ValueError('the neck must return (deepest, fused) maps, '
                             f'got {type(feats).__name__} of length '
                             f'{len(feats)}')
        return feats

    def loss(self, inputs: torch.Tensor,
             data_samples: List[WSOLDataSample]) -> dict:
        """``loss_cls`` / ``accuracy`` on the fused map and, with an
        ``aux_head``, ``loss_aux`` / ``accuracy_aux`` on the deepest one;
        with a ``feature_loss``, ``loss_feature`` on the fused map's image
        vectors."""
        deepest, fused = self.deepest_and_fused(inputs)
        losses = self.head.loss(fused, data_samples)
        if self.aux_head is not None:
            aux = self.aux_head.loss(deepest, data_samples)
            losses.update(loss_aux=aux['loss_cls'],
                          accuracy_aux=aux['accuracy'])
        if self.feature_loss is not None:
            labels = torch.cat([sample.gt_label for sample in data_samples])
            losses['loss_feature'] = self.feature_loss(
                fused.mean(dim=(2, 3)), labels.to(fused.device))
        return losses

    def pooled_features(self, inputs: torch.Tensor) -> torch.Tensor:
        """The (B, C) spatial mean of the fused map: the image vector that
        a feature loss (e.g. ISIC's ICFS) compares."""
        return self.extract_feat(inputs).mean(dim=(2, 3))
