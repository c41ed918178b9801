"""SLT-Net's regressor: a backbone that predicts one box per image."""
from typing import List, Optional

import torch

from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample
from ..utils.pseudo_boxes import (NORMALIZE_MODES, box_score_map,
                                  denormalize_boxes, normalize_boxes)
from .feature_localizer import FeatureLocalizer


@MODELS.register_module()
class BoxRegressor(FeatureLocalizer):
    """Backbone (+ neck) + :class:`BoxRegressionHead` (SLT-Net section 3.1,
    Eqs. 3-4), trained on the localizer's (pseudo) boxes.

    Boxes are ``x0 y0 x1 y1`` in network-input pixels outside the model;
    the head regresses them normalised by ``box_normalizer``
    (:func:`normalize_boxes`: ``mode='stride'`` divides by the localizer's
    downsampling factor ``stride``, the paper's ``p = (x1/m, ...)``;
    ``mode='image'`` by the input's width and height, PSOL's).

    ``loss`` reads each sample's ``pseudo_bboxes[0]`` (a pseudo-box stage's
    box moved by the transforms, :class:`LoadPseudoBox`). ``predict`` sets
    ``pred_bboxes`` (1, 4) on the ``img_shape`` grid, ``gt_score_map`` and
    ``pred_score_maps`` (1, H, W) the binary map of that box
    (:func:`box_score_map`, so MaxBoxAcc scores the box), and no
    ``pred_score``: classes come from a separate classifier.

    Args:
        backbone, neck, plugins, data_preprocessor, test_cfg, init_cfg: see
            :class:`FeatureLocalizer`.
        head (dict): ``dict(type='BoxRegressionHead', in_channels=...)``.
        box_normalizer (dict): ``mode`` in ``('stride', 'image')`` and, for
            ``'stride'``, the ``stride`` m. Defaults to
            ``dict(mode='stride', stride=16)`` (VGG16-GAP at 224: 14x14).
    """

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 box_normalizer: dict = dict(mode='stride', stride=16),
                 **kwargs):
        super().__init__(backbone, head, **kwargs)
        box_normalizer = dict(box_normalizer)
        unknown = set(box_normalizer) - {'mode', 'stride'}
        if unknown or box_normalizer.get('mode') not in NORMALIZE_MODES:
            raise ValueError(
                f'box_normalizer must be dict(mode=one of {NORMALIZE_MODES}'
                f'[, stride=m]), got {box_normalizer}')
        # Checks the stride of mode 'stride' now rather than at the first
        # iteration.
        normalize_boxes(torch.zeros(1, 4), input_shape=(1, 1),
                        **box_normalizer)
        self.box_normalizer = box_normalizer

    def _forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """(B, 4) boxes in the normalised units of ``box_normalizer``."""
        return self.head(self.extract_feat(inputs))

    def regression_loss(self, inputs: torch.Tensor,
                        target_boxes: torch.Tensor) -> dict:
        """``dict(loss_reg=...)`` of the (B, 4) target boxes given in
        input pixels (constants: no gradient flows into them)."""
        if target_boxes.dim() != 2 or target_boxes.shape != (
                inputs.shape[0], 4):
            raise ValueError(
                f'target_boxes must be ({inputs.shape[0]}, 4) boxes in '
                f'input pixels, got shape {tuple(target_boxes.shape)}')
        targets = normalize_boxes(
            target_boxes.detach().to(inputs.device, torch.float32),
            input_shape=inputs.shape[-2:], **self.box_normalizer)
        return self.head.loss(self.extract_feat(inputs), targets)

    def predict_boxes(self, inputs: torch.Tensor) -> torch.Tensor:
        """(B, 4) boxes ``x0 y0 x1 y1`` in input pixels: corners ordered
        (``x0 <= x1``, ``y0 <= y1``) and clipped to the input."""
        boxes = denormalize_boxes(self._forward(inputs).float(),
                                  input_shape=inputs.shape[-2:],
                                  **self.box_normalizer)
        height, width = inputs.shape[-2:]
        xs = boxes[:, 0::2].clamp(0, width).sort(dim=1).values
        ys = boxes[:, 1::2].clamp(0, height).sort(dim=1).values
        return torch.stack([xs[:, 0], ys[:, 0], xs[:, 1], ys[:, 1]], dim=1)

    def loss(self, inputs: torch.Tensor,
             data_samples: List[WSOLDataSample]) -> dict:
        missing = [s.metainfo.get('img_path', i)
                   for i, s in enumerate(data_samples)
                   if 'pseudo_bboxes' not in s or len(s.pseudo_bboxes) == 0]
        if missing:
            raise KeyError(
                f'BoxRegressor needs pseudo_bboxes in every data sample; '
                f'{len(missing)} of {len(data_samples)} have none (e.g. '
                f'{missing[0]}): run the pseudo-box stage and add '
                "LoadPseudoBox(box_file='stage:<its name>') after the image "
                'loading of the training pipeline')
        targets = torch.stack([s.pseudo_bboxes[0] for s in data_samples])
        return self.regression_loss(inputs, targets)

    def predict(self, inputs: torch.Tensor,
                data_samples: Optional[List[WSOLDataSample]] = None
                ) -> List[WSOLDataSample]:
        data_samples = self._samples_for(inputs, data_samples)
        boxes = self.predict_boxes(inputs).detach()
        for sample, box in zip(data_samples, boxes):
            height, width = sample.metainfo.get('img_shape',
                                                inputs.shape[-2:])[:2]
            limits = box.new_tensor([width, height, width, height])
            box = torch.minimum(box, limits)
            box_map = box_score_map(box, (height, width)).to(box.device)
            sample.pred_bboxes = box[None]
            sample.gt_score_map = box_map
            sample.pred_score_maps = box_map[None]
        return data_samples
