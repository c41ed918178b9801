"""SPG: self-produced guidance (Zhang et al., ECCV 2018)."""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F

from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample
from ..utils import OutputRecorder, normalize_score_maps
from .cam import CAM


@MODELS.register_module()
class SPG(CAM):
    """Backbone (+ neck) -> classifier :class:`CAMHead`, plus the
    :class:`SPGHead` branches, as wsolevaluation builds SPG
    (``wsol/method/spg.py``, ``*Spg`` classes).

    The classifier is wsolevaluation's 1x1 class conv + GAP (``SPG_A4``),
    which equals GAP + Linear; logits, CAMs and ``predict`` are exactly
    :class:`CAM`'s (the branches play no part in localization). In training,
    B1 and B2 read the outputs of the backbone submodules
    ``branch_layers['b1']`` / ``['b2']`` and C the classifier's input (the
    last feature map, after the neck); their targets come from the
    classifier's ground-truth class map (with its bias), upsampled
    bilinearly to the input size and min-max normalised per image (detached).
    Loss: ``loss_cls`` + :meth:`SPGHead.loss`.

    Args:
        backbone (dict): the feature extractor.
        head (dict): ``CAMHead`` config (the classifier).
        spg_head (dict): ``SPGHead`` config.
        neck (dict, optional): applied to the backbone's outputs (VGG16:
            ``ConvReLUNeck``, wsolevaluation's ``SPG_A_3``).
        branch_layers (dict): ``b1`` and ``b2``, names of backbone
            submodules (``backbone.get_submodule``); ResNet-50: ``layer3.0``
            and ``layer3`` (wsolevaluation's ``SPG_A1`` / ``SPG_A2``).
        plugins, data_preprocessor, test_cfg, init_cfg: see
            :class:`FeatureLocalizer`.
    """

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 spg_head: dict,
                 neck: Optional[dict] = None,
                 branch_layers: Dict[str, str] = dict(
                     b1='layer3.0', b2='layer3'),
                 plugins: Optional[List[dict]] = None,
                 data_preprocessor: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(backbone, head, neck, plugins, data_preprocessor,
                         test_cfg, init_cfg)
        if set(branch_layers) != {'b1', 'b2'}:
            raise KeyError('branch_layers needs exactly the keys b1 and b2, '
                           f'got {sorted(branch_layers)}')
        self.spg_head = MODELS.build(spg_head)
        self.branch_layers = (branch_layers['b1'], branch_layers['b2'])
        self._branch_inputs = OutputRecorder(self.backbone,
                                             self.branch_layers)

    def _features(self, inputs: torch.Tensor
                  ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The classifier's feature map and the inputs of B1 and B2."""
        feature_map = super().extract_feat(inputs)
        b1, b2 = (self._branch_inputs[name] for name in self.branch_layers)
        self._branch_inputs.pop_all()
        for name, output in zip(self.branch_layers, (b1, b2)):
            if not isinstance(output, torch.Tensor):
                raise TypeError(f'backbone submodule "{name}" returns a '
                                f'{type(output).__name__}, not a feature '
                                'map; name a module that returns a tensor')
        return feature_map, b1, b2

    def extract_feat(self, inputs: torch.Tensor) -> torch.Tensor:
        return self._features(inputs)[0]

    def gt_attention(self, feature_map: torch.Tensor, labels: torch.Tensor,
                     size) -> torch.Tensor:
        """(B, 1, H, W) classifier map of ``labels`` (B,), bilinearly
        upsampled to ``size`` and min-max normalised per image (a constant
        map becomes 0), detached: wsolevaluation's ``attention``."""
        maps = self.head.class_activation_maps(
            feature_map.detach(), labels[:, None], with_bias=True)
        maps = F.interpolate(maps, size=tuple(size), mode='bilinear',
                             align_corners=False)
        return normalize_score_maps(maps).detach()

    def loss(self, inputs: torch.Tensor,
             data_samples: List[WSOLDataSample]) -> dict:
        feature_map, b1, b2 = self._features(inputs)
        losses = self.head.loss(feature_map, data_samples)
        _, labels = self.head.targets(data_samples, feature_map.device)
        attention = self.gt_attention(feature_map, labels, inputs.shape[-2:])
        losses.update(self.spg_head.loss(b1, b2, feature_map, attention))
        return losses
