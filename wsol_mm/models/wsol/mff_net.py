"""MFF-Net: CAM on fused shallow and deep features, with an auxiliary loss."""
from typing import List, Optional, Tuple

import torch

from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample
from ..heads.cam_head import accuracy
from .cam import CAM

AUX_MODES = ('sum', 'distill_mean')


@MODELS.register_module()
class MFFNet(CAM):
    """The CAM generator of SPOL (Wei et al., CVPR 2021, sections 3.2-3.5).

    The neck (:class:`MFFNeck`) returns ``(deepest, fused)``; the head
    classifies ``fused`` and gives the CAMs of ``predict``. SPOL's "CAM head
    whose spatial mean gives the logits" is :class:`CAMHead`: by linearity, a
    linear layer on the spatial mean equals the spatial mean of the 1x1-conv
    class maps (not with ``relu_before_pool``, the official code's head).

    The deepest branch is classified by ``aux_head``, or by ``head`` itself
    with ``share_head`` (one classifier for both branches, as the official
    code). ``aux_mode`` combines the two branches' losses:

    - ``'sum'`` (the paper, section 3.5): ``L_c = L_cls + L_aux``, cross
      entropy with the labels on each branch (``loss_cls``, ``loss_aux``).
    - ``'distill_mean'`` (the official code on CUB):
      ``(CE(deep, label) + H(softmax(deep).detach(), fused)) / 2``: the deep
      branch learns from the labels (``loss_aux``), the fused branch only
      from the detached softmax of the deep one (``loss_distill``,
      :class:`SoftTargetDistillLoss`).

    Without an auxiliary classifier (``aux_head=None``, ``share_head=False``)
    the loss is the fused branch's cross entropy alone (the official code on
    ImageNet, the "w/o Aux Loss" ablation).

    Args:
        backbone (dict): e.g. ``dict(type='mmpretrain.ResNet', depth=50,
            out_indices=(1, 2, 3))``.
        neck (dict): ``dict(type='MFFNeck', ...)`` or a neck with the same
            ``(deepest, fused)`` output.
        head (dict): the classifier of the fused map, ``CAMHead``.
        aux_head (dict, optional): the classifier of the deepest branch
            (``CAMHead`` with the neck's ``out_channels``); ``None`` drops
            the auxiliary loss unless ``share_head``.
        share_head (bool): classify the deepest branch with ``head``
            (requires ``aux_head=None``). Defaults to False.
        aux_mode (str): one of :data:`AUX_MODES`. Defaults to ``'sum'``.
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
                 share_head: bool = False,
                 aux_mode: str = 'sum',
                 feature_loss: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        if aux_mode not in AUX_MODES:
            raise ValueError(
                f'aux_mode must be one of {AUX_MODES}, got {aux_mode!r}')
        if share_head and aux_head is not None:
            raise ValueError('share_head=True classifies the deepest branch '
                             'with head: set aux_head=None')
        if aux_mode == 'distill_mean' and aux_head is None and not share_head:
            raise ValueError("aux_mode='distill_mean' distils the deepest "
                             'branch into the fused one: set aux_head or '
                             'share_head=True')
        super().__init__(
            backbone=backbone,
            head=head,
            neck=neck,
            data_preprocessor=data_preprocessor,
            test_cfg=test_cfg,
            init_cfg=init_cfg)
        self.aux_head = (
            MODELS.build(aux_head) if aux_head is not None else None)
        self.share_head = share_head
        self.aux_mode = aux_mode
        self.distill_loss = (
            MODELS.build(dict(type='SoftTargetDistillLoss', loss_weight=0.5))
            if aux_mode == 'distill_mean' else None)
        self.feature_loss = (
            MODELS.build(feature_loss) if feature_loss is not None else None)

    @property
    def deep_classifier(self):
        """The classifier of the deepest branch, or None."""
        return self.head if self.share_head else self.aux_head

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
        """With ``aux_mode='sum'``: ``loss_cls`` / ``accuracy`` on the fused
        map and, with a deep classifier, ``loss_aux`` / ``accuracy_aux`` on
        the deepest one. With ``'distill_mean'``: ``loss_aux`` (half the
        deep branch's cross entropy), ``loss_distill`` (half the fused
        branch's distillation loss), ``accuracy`` and ``accuracy_aux``. With
        a ``feature_loss``, ``loss_feature`` on the fused map's image
        vectors."""
        deepest, fused = self.deepest_and_fused(inputs)
        deep_classifier = self.deep_classifier
        if self.aux_mode == 'sum':
            losses = self.head.loss(fused, data_samples)
            if deep_classifier is not None:
                aux = deep_classifier.loss(deepest, data_samples)
                losses.update(loss_aux=aux['loss_cls'],
                              accuracy_aux=aux['accuracy'])
        else:
            deep_logits = deep_classifier(deepest)
            aux = deep_classifier.loss_of_logits(deep_logits, data_samples)
            fused_logits = self.head(fused)
            _, hard_target = self.head.targets(data_samples,
                                               fused_logits.device)
            losses = dict(
                loss_distill=self.distill_loss(fused_logits, deep_logits),
                accuracy=accuracy(fused_logits, hard_target),
                loss_aux=0.5 * aux['loss_cls'],
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
