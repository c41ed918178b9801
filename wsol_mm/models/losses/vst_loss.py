"""Visual stimuli tolerance (VST) loss of SLT-Net (Eqs. 11-13)."""
from typing import Sequence, Union

import numpy as np
import torch
import torch.nn as nn

from wsol_mm.registry import MODELS
from wsol_mm.structures import inverse_warp
from ..utils.score_maps import normalize_score_maps


@MODELS.register_module()
class VSTLoss(nn.Module):
    """``L_VST = 1 / (W x H) * ||M^o - M^it||_2^2`` (SLT-Net Eq. 13).

    ``M^o`` (Eq. 11) are the C class maps of the input ``I``, ``M^t`` those
    of the second view ``I^t = g(I)`` (:class:`PairedViews`), and ``M^it =
    g'(M^t)`` (Eq. 12) is ``M^t`` brought back onto ``M^o``'s grid by
    :func:`inverse_warp` (the spatial part of ``g`` only: flip and scale).
    For each image the squared difference is summed over the C classes (not
    divided by C) and averaged over the positions of ``M^o``'s (h, w) grid
    that view 2 sees (``inverse_warp``'s ``valid``: all of them for a
    'resize' view; an image with none adds 0); the loss is the mean over
    the images times ``loss_weight`` (beta of Eq. 2, 10 in the paper's
    section 4.1). Neither view is detached: both get gradients (the paper
    does not say; our choice).

    Args:
        loss_weight (float): beta. Defaults to 10.0.
        normalize (bool): [A] min-max normalise every map (each image and
            class, over its own grid) before the comparison; False (the
            paper's raw CAMs) by default.
    """

    def __init__(self, loss_weight: float = 10.0, normalize: bool = False):
        super().__init__()
        self.loss_weight = float(loss_weight)
        self.normalize = bool(normalize)

    def _warped_view2(self, view2_maps, affines, out_shape, img_shape,
                      view2_shapes):
        """``M^it`` and ``valid`` per image, one ``inverse_warp`` call per
        distinct (map size, view size)."""
        groups = {}
        for index, (view2, shape) in enumerate(zip(view2_maps,
                                                   view2_shapes)):
            key = (tuple(view2.shape), shape)
            groups.setdefault(key, []).append(index)
        warped, valid = [None] * len(view2_maps), [None] * len(view2_maps)
        for (_, shape), indices in groups.items():
            maps, seen = inverse_warp(
                torch.stack([view2_maps[i] for i in indices]),
                affines[indices], out_shape, img_shape=img_shape,
                view2_shape=shape)
            for k, index in enumerate(indices):
                warped[index], valid[index] = maps[k], seen[k, 0]
        return torch.stack(warped), torch.stack(valid)

    def forward(self, maps: torch.Tensor,
                view2_maps: Union[torch.Tensor, Sequence[torch.Tensor]],
                affines: Union[torch.Tensor, np.ndarray],
                img_shape: Sequence[int],
                view2_shapes: Sequence[Sequence[int]]) -> torch.Tensor:
        """The loss, a scalar tensor.

        Args:
            maps (Tensor): (B, C, h, w) ``M^o``, covering the (H, W) input.
            view2_maps (Tensor | Sequence[Tensor]): ``M^t``: (B, C, h2, w2),
                or B tensors (C, h2_i, w2_i) when the views differ in size.
            affines (Tensor | ndarray): (B, 2, 3) ``view2_affine``s, input
                to view-2 pixels.
            img_shape (Sequence[int]): (H, W) of the input ``maps`` cover.
            view2_shapes (Sequence[Sequence[int]]): B (H2_i, W2_i), the
                sizes of the view images ``view2_maps`` cover.
        """
        if maps.dim() != 4:
            raise ValueError(f'maps must be (B, C, h, w), got '
                             f'{tuple(maps.shape)}')
        batch, channels = maps.shape[:2]
        if isinstance(view2_maps, torch.Tensor) and view2_maps.dim() != 4:
            raise ValueError(f'view2_maps must be (B, C, h2, w2) or B maps '
                             f'(C, h2, w2), got {tuple(view2_maps.shape)}')
        view2_maps = list(view2_maps)
        view2_shapes = [tuple(int(n) for n in s) for s in view2_shapes]
        if len(view2_maps) != batch or len(view2_shapes) != batch:
            raise ValueError(
                f'maps {tuple(maps.shape)} hold B={batch} images, but '
                f'view2_maps has {len(view2_maps)} and view2_shapes '
                f'{len(view2_shapes)}')
        for index, view2 in enumerate(view2_maps):
            if view2.dim() != 3 or view2.shape[0] != channels:
                raise ValueError(
                    f'view2_maps[{index}] must be (C={channels}, h2, w2) '
                    f'like maps {tuple(maps.shape)}, got '
                    f'{tuple(view2.shape)}')
        affines = torch.as_tensor(affines, dtype=torch.float64,
                                  device=maps.device)
        if affines.shape != (batch, 2, 3):
            raise ValueError(f'affines must be (B={batch}, 2, 3), got '
                             f'{tuple(affines.shape)}')
        if self.normalize:
            maps = normalize_score_maps(maps)
            view2_maps = [normalize_score_maps(v) for v in view2_maps]
        warped, valid = self._warped_view2(view2_maps, affines,
                                           maps.shape[-2:], img_shape,
                                           view2_shapes)
        squared = ((maps - warped)**2).sum(1)  # summed over the classes
        squared = torch.where(valid, squared, torch.zeros_like(squared))
        count = valid.flatten(1).sum(1).clamp(min=1)
        per_image = squared.flatten(1).sum(1) / count
        return self.loss_weight * per_image.mean()
