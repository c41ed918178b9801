"""CutMix (Yun et al., ICCV 2019) as a batch augmentation."""
from typing import Tuple

import numpy as np
import torch
import torch.nn.functional as F

from wsol_mm.registry import MODELS


@MODELS.register_module()
class CutMix:
    """Paste a box of a shuffled partner into every image of a batch.

    As wsolevaluation's ``main.py`` / ``wsol/method/cutmix.py`` (the CutMix
    authors' code), with its draws in its order: the batch is mixed when
    ``np.random.rand() < prob``; ``lambda ~ Beta(alpha, alpha)``
    (``np.random.beta``); one permutation for the batch
    (``torch.randperm``, torch's global CPU generator); ``cut_h = int(H *
    sqrt(1 - lambda))``, ``cut_w = int(W * sqrt(1 - lambda))``; the box
    centre row ``cy = np.random.randint(H)``, then column ``cx =
    np.random.randint(W)`` (the reference names dim 2 ``w``: its first
    centre is the row's). With ``box_rule='wsolevaluation'`` the box spans
    rows ``[cy - cut_h // 2, cy + cut_h // 2)`` and columns ``[cx - cut_w //
    2, cx + cut_w // 2)``, clipped to the image: ``2 * (cut // 2)`` pixels,
    one less than ``cut`` when it is odd; with ``box_rule='full_cut'`` it
    spans ``[c - cut // 2, c - cut // 2 + cut)``, clipped (``cut`` pixels,
    the paper's ``r_w = W sqrt(1 - lambda)``). Image ``i`` gets the box's
    content from image ``perm[i]``; ``lambda`` is corrected to ``1 -
    box_area / image_area`` and the soft targets are ``lambda * onehot(y_i)
    + (1 - lambda) * onehot(y_perm[i])`` (the reference's ``lambda * CE(y_a)
    + (1 - lambda) * CE(y_b)``).

    Args:
        num_classes (int): Length of the one-hot targets.
        alpha (float): Parameter of the Beta distribution (> 0),
            wsolevaluation's ``cutmix_beta`` (1.0).
        prob (float): Probability of mixing a batch, ``cutmix_prob`` (1.0).
        box_rule (str): ``'wsolevaluation'`` (default) or ``'full_cut'``.
    """

    BOX_RULES = ('wsolevaluation', 'full_cut')

    def __init__(self, num_classes: int, alpha: float = 1.0,
                 prob: float = 1.0, box_rule: str = 'wsolevaluation'):
        if int(num_classes) <= 0:
            raise ValueError(f'num_classes must be positive, got '
                             f'{num_classes}')
        if alpha <= 0:
            raise ValueError(f'alpha must be positive, got {alpha}')
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        if box_rule not in self.BOX_RULES:
            raise ValueError(f'box_rule must be one of {self.BOX_RULES}, got '
                             f'{box_rule!r}')
        self.num_classes = int(num_classes)
        self.alpha = float(alpha)
        self.prob = float(prob)
        self.box_rule = box_rule

    def _span(self, centre: int, cut: int, side: int) -> Tuple[int, int]:
        """The clipped ``[start, end)`` of a cut of ``cut`` pixels about
        ``centre`` on an axis of ``side`` pixels."""
        start = centre - cut // 2
        end = (centre + cut // 2 if self.box_rule == 'wsolevaluation' else
               start + cut)
        return int(np.clip(start, 0, side)), int(np.clip(end, 0, side))

    def sample_box(self, height: int, width: int,
                   lam: float) -> Tuple[Tuple[int, int, int, int], float]:
        """A random box ``(x0, y0, x1, y1)`` for the Beta draw ``lam`` and
        the corrected lambda."""
        ratio = np.sqrt(1. - lam)
        cut_h, cut_w = int(height * ratio), int(width * ratio)
        cy = np.random.randint(height)
        cx = np.random.randint(width)
        y0, y1 = self._span(cy, cut_h, height)
        x0, x1 = self._span(cx, cut_w, width)
        lam = 1. - (x1 - x0) * (y1 - y0) / (width * height)
        return (x0, y0, x1, y1), float(lam)

    def __call__(self, inputs: torch.Tensor, labels: torch.Tensor) -> dict:
        """Mix ``inputs`` (B, C, H, W) with hard ``labels`` (B,).

        Returns a dict with ``inputs`` and ``mixed`` (bool); when mixed,
        ``inputs`` is a new tensor and the dict has ``scores`` (B,
        num_classes) soft targets, ``perm`` (LongTensor), ``box`` and
        ``lam``.
        """
        labels = labels.reshape(-1).long().to(inputs.device)
        if labels.numel() != inputs.shape[0]:
            raise ValueError(f'{labels.numel()} labels for a batch of '
                             f'{inputs.shape[0]}')
        if labels.numel() and int(labels.max()) >= self.num_classes:
            raise ValueError(f'label {int(labels.max())} out of range for '
                             f'num_classes={self.num_classes}')
        if not np.random.rand() < self.prob:
            return dict(inputs=inputs, mixed=False)
        lam = np.random.beta(self.alpha, self.alpha)
        perm = torch.randperm(inputs.shape[0]).to(inputs.device)
        height, width = inputs.shape[-2:]
        (x0, y0, x1, y1), lam = self.sample_box(height, width, lam)
        mixed = inputs.clone()
        mixed[..., y0:y1, x0:x1] = inputs[perm][..., y0:y1, x0:x1]
        onehot = F.one_hot(labels, self.num_classes).to(inputs.dtype)
        scores = lam * onehot + (1. - lam) * onehot[perm]
        return dict(inputs=mixed, scores=scores, mixed=True, perm=perm,
                    box=(x0, y0, x1, y1), lam=lam)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_classes={self.num_classes}, '
                f'alpha={self.alpha}, prob={self.prob}, '
                f'box_rule={self.box_rule!r})')
