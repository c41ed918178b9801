"""The "Center" baseline: a centred Gaussian for every image."""
from typing import List, Optional

import torch

from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample
from ..utils import normalize_score_maps
from .base_localizer import BaseLocalizer


@MODELS.register_module()
class CenterGaussian(BaseLocalizer):
    """Predicts the same centred Gaussian score map for every image, the
    non-learning baseline of Choe et al. (CVPR 2020) reported by the label
    granularity paper (Center). It has no class scores.

    Args:
        sigma (float): Standard deviation as a fraction of the image's width
            (horizontally) and height (vertically). Defaults to 0.25.
    """

    def __init__(self, sigma: float = 0.25,
                 data_preprocessor: Optional[dict] = None,
                 test_cfg: Optional[dict] = None):
        super().__init__(data_preprocessor, test_cfg)
        if sigma <= 0:
            raise ValueError(f'sigma must be positive, got {sigma}')
        self.sigma = sigma

    def _forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.gaussian(*inputs.shape[-2:], device=inputs.device)

    def gaussian(self, height: int, width: int, device=None) -> torch.Tensor:
        """The (height, width) map exp(-(dx^2 + dy^2) / 2), where dx, dy are
        pixel-centre offsets from the image centre over sigma * size."""
        ys = (torch.arange(height, device=device) + 0.5 - height / 2) / (
            self.sigma * height)
        xs = (torch.arange(width, device=device) + 0.5 - width / 2) / (
            self.sigma * width)
        return torch.exp(-0.5 * (ys[:, None]**2 + xs[None, :]**2))

    def loss(self, inputs, data_samples) -> dict:
        raise RuntimeError('The Center baseline has nothing to train; '
                           'evaluate it with tools/test.py CONFIG')

    def predict(self, inputs: torch.Tensor,
                data_samples: Optional[List[WSOLDataSample]] = None
                ) -> List[WSOLDataSample]:
        data_samples = self._samples_for(inputs, data_samples)
        for sample in data_samples:
            height, width = sample.metainfo.get('img_shape',
                                                inputs.shape[-2:])
            sample.gt_score_map = normalize_score_maps(
                self.gaussian(height, width, device=inputs.device))
            sample.pred_score_maps = sample.gt_score_map[None]
            sample.pred_bboxes = self._boxes_of(sample.pred_score_maps)
        return data_samples
