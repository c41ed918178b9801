"""SLT-Net's localization branch (Guo et al., CVPR 2021, sections 3.1-3.3):
a CAM localizer trained with SMT and VST, and a box regressor trained
synchronously on the localizer's pseudo boxes."""
from collections import defaultdict
from typing import Dict, List, Optional

import torch

from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample
from ..utils.pseudo_boxes import boxes_from_score_maps
from .base_localizer import BaseLocalizer
from .cam import CAM

PREDICTORS = ('localizer', 'regressor')


@MODELS.register_module()
class SLTNet(BaseLocalizer):
    """The localizer of SLT-Net and, optionally, its box regressor.

    Training (Eqs. 1-2): ``L_LOC = L_SMT + beta * L_VST`` on the localizer,
    where ``L_SMT`` is the localizer head's loss (``SMTLoss``, Eq. 8) and
    ``L_VST`` (Eq. 13, ``vst_loss``) compares the raw class maps of all
    classes of the input and of its second view ``img_view2``
    (:class:`PairedViews`), warped back by ``view2_affine``. Views of equal
    size are batched together. With a ``regressor``, ``L_REG`` (Eq. 3)
    trains it in the same iteration against the pseudo box of the current
    localizer, made without gradient: the localizer's map of its
    ``test_cfg.score_map`` rule (top-K ACAM, Eq. 9, in the paper), upsampled
    to the input, min-max normalised and boxed at
    ``pseudo_box['threshold']`` (``box_mode``, the largest connected
    component by default). The regressor gets no gradient into the
    localizer and the localizer none from ``L_REG``.

    Prediction (``test_cfg.predict_with``): ``'localizer'`` gives the
    localizer's outputs (:class:`CAM`); ``'regressor'`` the regressor's box
    (``pred_bboxes``, and ``gt_score_map`` the box as a binary map) with
    the localizer's class scores (``pred_score``), as the paper tests
    (Fig. 2c, the classes of a separate classifier replace them in an
    ``EvaluateStage``).

    Args:
        localizer (dict): A CAM-style model config (``CAM``), its head's
            loss ``SMTLoss`` for SLT-Net.
        regressor (dict, optional): A ``BoxRegressor`` config, trained
            jointly (mode (a) of the paper); None trains the localizer only
            (the staged mode's first stage and the ablations).
        vst_loss (dict, optional): ``VSTLoss`` config (beta is its
            ``loss_weight``); None leaves L_VST out.
        pseudo_box (dict): ``threshold`` (0.2) and ``box_mode``
            (``'largest_component'``) of the pseudo boxes.
        data_preprocessor (dict, optional): ``WSOLDataPreprocessor`` (it
            converts ``img_view2`` like the inputs).
        test_cfg (dict, optional): ``predict_with`` (``'localizer'``).
    """

    def __init__(self,
                 localizer: dict,
                 regressor: Optional[dict] = None,
                 vst_loss: Optional[dict] = None,
                 pseudo_box: dict = dict(threshold=0.2,
                                         box_mode='largest_component'),
                 data_preprocessor: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        cfg = dict(predict_with='localizer')
        cfg.update(test_cfg or {})
        if cfg['predict_with'] not in PREDICTORS:
            raise ValueError(f'test_cfg.predict_with must be one of '
                             f"{PREDICTORS}, got {cfg['predict_with']!r}")
        if cfg['predict_with'] == 'regressor' and regressor is None:
            raise ValueError("test_cfg.predict_with='regressor' needs a "
                             'regressor')
        super().__init__(data_preprocessor, cfg, init_cfg)
        self.localizer = MODELS.build(localizer)
        if not isinstance(self.localizer, CAM):
            raise TypeError('SLTNet needs a CAM-style localizer, got '
                            f'{type(self.localizer).__name__}')
        self.regressor = None if regressor is None else MODELS.build(
            regressor)
        self.vst_loss = None if vst_loss is None else MODELS.build(vst_loss)
        unknown = set(pseudo_box) - {'threshold', 'box_mode'}
        if unknown:
            raise KeyError(f'pseudo_box has the keys threshold and box_mode, '
                           f'got {sorted(unknown)}')
        self.pseudo_box = dict(threshold=0.2, box_mode='largest_component')
        self.pseudo_box.update(pseudo_box)

    def _forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.localizer(inputs, mode='tensor')

    # ------------------------------------------------------------------ #
    # training
    # ------------------------------------------------------------------ #
    def all_class_maps(self, feature_map: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) raw maps of every class (Eq. 7)."""
        head = self.localizer.head
        classes = torch.arange(head.num_classes, device=feature_map.device)
        return head.class_activation_maps(
            feature_map, classes.expand(len(feature_map), -1))

    def view_consistency_loss(self, maps: torch.Tensor,
                              data_samples: List[WSOLDataSample],
                              img_shape) -> torch.Tensor:
        """``L_VST`` of the batch: the views of equal size go through the
        localizer together."""
        if not all('img_view2' in s for s in data_samples):
            raise KeyError('vst_loss needs the second view img_view2 in every '
                           "data sample: add dict(type='PairedViews') to the "
                           'training pipeline before PackWSOLInputs')
        groups: Dict[tuple, List[int]] = defaultdict(list)
        for index, sample in enumerate(data_samples):
            groups[tuple(sample.img_view2.shape)].append(index)
        view_maps: List[Optional[torch.Tensor]] = [None] * len(data_samples)
        for indices in groups.values():
            views = torch.stack([data_samples[i].img_view2 for i in indices])
            group_maps = self.all_class_maps(
                self.localizer.extract_feat(views.to(maps.device)))
            for i, view_map in zip(indices, group_maps):
                view_maps[i] = view_map
        affines = torch.stack([
            torch.as_tensor(s.view2_affine, dtype=torch.float64)
            for s in data_samples])
        view_shapes = [tuple(s.img_view2.shape[-2:]) for s in data_samples]
        return self.vst_loss(maps, view_maps, affines, tuple(img_shape),
                             view_shapes)

    @torch.no_grad()
    def pseudo_boxes(self, feature_map: torch.Tensor, inputs: torch.Tensor,
                     data_samples: List[WSOLDataSample]) -> torch.Tensor:
        """(B, 4) boxes in input pixels from the current localizer's maps of
        its ``test_cfg.score_map`` rule."""
        feature_map = feature_map.detach()
        scores = self.localizer.head(feature_map).softmax(dim=1)
        labels = torch.stack([s.gt_label[0] for s in data_samples]).to(
            feature_map.device)
        maps = self.localizer.localization_maps(feature_map, scores, labels)
        grids = self._maps_on_image_grids(maps, inputs, data_samples)
        return boxes_from_score_maps([grid[0] for grid in grids],
                                     **self.pseudo_box).to(inputs.device)

    def loss(self, inputs: torch.Tensor,
             data_samples: List[WSOLDataSample]) -> dict:
        feature_map = self.localizer.extract_feat(inputs)
        losses = self.localizer.head.loss(feature_map, data_samples)
        if self.vst_loss is not None:
            losses['loss_vst'] = self.view_consistency_loss(
                self.all_class_maps(feature_map), data_samples,
                inputs.shape[-2:])
        if self.regressor is not None:
            boxes = self.pseudo_boxes(feature_map, inputs, data_samples)
            losses.update(self.regressor.regression_loss(inputs, boxes))
        return losses

    # ------------------------------------------------------------------ #
    # prediction
    # ------------------------------------------------------------------ #
    def predict(self, inputs: torch.Tensor,
                data_samples: Optional[List[WSOLDataSample]] = None
                ) -> List[WSOLDataSample]:
        if self.test_cfg['predict_with'] == 'localizer':
            return self.localizer.predict(inputs, data_samples)
        data_samples = self.regressor.predict(
            inputs, self._samples_for(inputs, data_samples))
        scores = self.localizer.head.predict(
            self.localizer.extract_feat(inputs))
        for sample, score in zip(data_samples, scores):
            sample.pred_score = score.detach()
        return data_samples
