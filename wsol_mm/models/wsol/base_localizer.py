"""What every WSOL model shares: the three modes and score-map output."""
from abc import abstractmethod
from typing import List, Optional, Sequence

import numpy as np
import torch
from mmengine.model import BaseModel

from wsol_mm.evaluation.functional import boxes_from_scoremap
from wsol_mm.structures import WSOLDataSample
from ..utils import normalize_score_maps, resize_score_maps


class BaseLocalizer(BaseModel):
    """Base of WSOL models with ``loss`` / ``predict`` / ``tensor`` modes.

    Subclasses compute raw score maps; this class brings them onto each image's
    grid (``img_shape``, the evaluation grid of the test pipeline), min-max
    normalises them as the wsolevaluation protocol does, and extracts one box
    per map (largest contour at ``test_cfg['cam_threshold']``).
    """

    def __init__(self,
                 data_preprocessor: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(
            data_preprocessor=data_preprocessor
            or dict(type='ImgDataPreprocessor'),
            init_cfg=init_cfg)
        self.test_cfg = dict(topk=1, cam_threshold=0.2)
        self.test_cfg.update(test_cfg or {})

    def forward(self, inputs: torch.Tensor,
                data_samples: Optional[List[WSOLDataSample]] = None,
                mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs)
        raise RuntimeError(f'Invalid mode "{mode}": use loss, predict or '
                           'tensor')

    @abstractmethod
    def _forward(self, inputs: torch.Tensor):
        """The network's raw output."""

    @abstractmethod
    def loss(self, inputs, data_samples) -> dict:
        """Losses of a batch."""

    @abstractmethod
    def predict(self, inputs, data_samples=None) -> List[WSOLDataSample]:
        """Predictions of a batch, as data samples."""

    @staticmethod
    def _samples_for(inputs: torch.Tensor, data_samples
                     ) -> List[WSOLDataSample]:
        if data_samples is not None:
            return data_samples
        shape = tuple(inputs.shape[-2:])
        return [WSOLDataSample(metainfo=dict(img_shape=shape))
                for _ in range(inputs.shape[0])]

    def _maps_on_image_grids(self, maps: torch.Tensor, inputs: torch.Tensor,
                             data_samples: Sequence[WSOLDataSample],
                             normalize: bool = True) -> List[torch.Tensor]:
        """(B, K, h, w) raw maps -> per image (K, H_i, W_i) maps, min-max
        normalised to [0, 1] unless ``normalize`` is False."""
        maps = resize_score_maps(maps.float(), inputs.shape[-2:])
        grids = []
        for sample_maps, sample in zip(maps, data_samples):
            height, width = sample.metainfo.get('img_shape', maps.shape[-2:])
            sample_maps = sample_maps[:, :height, :width]
            if normalize:
                sample_maps = normalize_score_maps(sample_maps)
            grids.append(sample_maps.detach())
        return grids

    def _boxes_of(self, maps: torch.Tensor) -> torch.Tensor:
        """One box (x0 y0 x1 y1) per (H, W) map of ``maps`` (K, H, W)."""
        threshold = [self.test_cfg['cam_threshold']]
        boxes = [boxes_from_scoremap(m, threshold, multi_contour=False)[0][0]
                 for m in maps.cpu().numpy()]
        return torch.as_tensor(
            np.asarray(boxes, dtype=np.float32).reshape(-1, 4))
