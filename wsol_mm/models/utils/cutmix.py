"""CutMix (Yun et al., ICCV 2019) as a batch augmentation."""
from typing import Tuple

import numpy as np
import torch
import torch.nn.functional as F

from wsol_mm.registry import MODELS


@MODELS.register_module()
class CutMix:
    """Paste a box of a shuffled partner into every image of a batch.

    With probability ``prob`` the batch is mixed: ``lambda ~ Beta(alpha,
    alpha)``; a box of side ``(int(W * sqrt(1 - lambda)), int(H * sqrt(1 -
    lambda)))`` is centred on a uniformly drawn pixel and clipped to the
    image; image ``i`` gets the box's content from image ``perm[i]`` (one
    random permutation and one box for the whole batch, as in the paper's
    code); ``lambda`` is corrected to ``1 - box_area / image_area`` and the
    soft targets are ``lambda * onehot(y_i) + (1 - lambda) *
    onehot(y_perm[i])``. Randomness comes from ``np.random``.

    Args:
        num_classes (int): Length of the one-hot targets.
        alpha (float): Parameter of the Beta distribution (> 0).
        prob (float): Probability of mixing a batch.
    """

    def __init__(self, num_classes: int, alpha: float = 1.0,
                 prob: float = 1.0):
        if int(num_classes) <= 0:
            raise ValueError(f'num_classes must be positive, got '
                             f'{num_classes}')
        if alpha <= 0:
            raise ValueError(f'alpha must be positive, got {alpha}')
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.num_classes = int(num_classes)
        self.alpha = float(alpha)
        self.prob = float(prob)

    def sample_box(self, height: int, width: int
                   ) -> Tuple[Tuple[int, int, int, int], float]:
        """A random box ``(x0, y0, x1, y1)`` and its corrected lambda."""
        lam = np.random.beta(self.alpha, self.alpha)
        ratio = np.sqrt(1. - lam)
        cut_w, cut_h = int(width * ratio), int(height * ratio)
        cx, cy = np.random.randint(width), np.random.randint(height)
        x0, x1 = np.clip([cx - cut_w // 2, cx - cut_w // 2 + cut_w], 0, width)
        y0, y1 = np.clip([cy - cut_h // 2, cy - cut_h // 2 + cut_h], 0,
                         height)
        box = (int(x0), int(y0), int(x1), int(y1))
        lam = 1. - (box[2] - box[0]) * (box[3] - box[1]) / (width * height)
        return box, float(lam)

    def __call__(self, inputs: torch.Tensor, labels: torch.Tensor) -> dict:
        """Mix ``inputs`` (B, C, H, W) with hard ``labels`` (B,).

        Returns a dict with ``inputs`` (a new tensor), ``scores`` (B,
        num_classes) soft targets, ``mixed`` (bool) and, when mixed,
        ``perm`` (LongTensor), ``box`` and ``lam``.
        """
        labels = labels.reshape(-1).long().to(inputs.device)
        if labels.numel() != inputs.shape[0]:
            raise ValueError(f'{labels.numel()} labels for a batch of '
                             f'{inputs.shape[0]}')
        onehot = F.one_hot(labels, self.num_classes).to(inputs.dtype)
        if np.random.rand() >= self.prob:
            return dict(inputs=inputs, scores=onehot, mixed=False)
        height, width = inputs.shape[-2:]
        perm = torch.from_numpy(np.random.permutation(inputs.shape[0])).to(
            inputs.device)
        (x0, y0, x1, y1), lam = self.sample_box(height, width)
        mixed = inputs.clone()
        mixed[..., y0:y1, x0:x1] = inputs[perm][..., y0:y1, x0:x1]
        scores = lam * onehot + (1. - lam) * onehot[perm]
        return dict(inputs=mixed, scores=scores, mixed=True, perm=perm,
                    box=(x0, y0, x1, y1), lam=lam)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_classes={self.num_classes}, '
                f'alpha={self.alpha}, prob={self.prob})')
