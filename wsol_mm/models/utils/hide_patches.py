"""Hide-and-Seek (Singh and Lee, ICCV 2017) as a batch augmentation."""
import random
from typing import Optional, Sequence

import torch

from wsol_mm.registry import MODELS


@MODELS.register_module()
class HidePatches:
    """Hide random square patches of every image of a normalised batch.

    Per image, a patch side ``g`` (pixels) is drawn from ``grid_sizes``
    (``random.choice``, only when it has more than one size: the original
    HaS draws one size per image, e.g. ``(0, 16, 32, 44, 56)``, and paper
    002 ``(0, 4, 8, 16)``; ``0`` hides nothing and draws nothing more). The
    image is cut into ``g`` x ``g`` patches starting at pixel (0, 0), the
    last row / column of patches cut by the border; each patch, in row-major
    order, is hidden when ``random.random() <= drop_rate`` (wsolevaluation's
    ``wsol/method/has.py``, note the ``<=``). Hidden pixels are set to 0 on
    the normalised batch, i.e. to the normalisation mean (HaS: the dataset's
    mean pixel). Randomness comes from Python's ``random``, as in
    wsolevaluation, whose draws this reproduces for square inputs (its loop
    indexes rows with the width range and clips both ends with the height:
    right for square inputs only; this one is right for any H, W).

    Called as ``aug(inputs, labels)`` by :class:`WSOLDataPreprocessor` in
    training only; the labels are not changed.

    Args:
        grid_sizes (Sequence[int]): Patch sides in pixels (>= 0).
            wsolevaluation: ``(4, )`` (``has_grid_size 4``).
        drop_rate (float): Probability of hiding a patch, in [0, 1].
    """

    def __init__(self, grid_sizes: Sequence[int] = (4, ),
                 drop_rate: float = 0.5):
        if isinstance(grid_sizes, int) or not len(grid_sizes):
            raise ValueError(f'grid_sizes must be a non-empty sequence of '
                             f'patch sides, got {grid_sizes!r}')
        if any(int(g) != g or g < 0 for g in grid_sizes):
            raise ValueError(f'grid_sizes must hold integers >= 0, got '
                             f'{grid_sizes!r}')
        if not 0 <= drop_rate <= 1:
            raise ValueError(f'drop_rate must be in [0, 1], got {drop_rate}')
        self.grid_sizes = tuple(int(g) for g in grid_sizes)
        self.drop_rate = float(drop_rate)

    def hidden_mask(self, height: int, width: int,
                    grid_size: int) -> torch.Tensor:
        """Draw the (height, width) bool mask of hidden pixels of one image
        for patches of side ``grid_size`` (> 0)."""
        rows = -(-height // grid_size)
        cols = -(-width // grid_size)
        hidden = torch.tensor(
            [random.random() <= self.drop_rate for _ in range(rows * cols)],
            dtype=torch.bool).view(rows, cols)
        hidden = hidden.repeat_interleave(grid_size, dim=0)[:height]
        return hidden.repeat_interleave(grid_size, dim=1)[:, :width]

    def __call__(self, inputs: torch.Tensor,
                 labels: Optional[torch.Tensor] = None) -> dict:
        """Hide patches of ``inputs`` (B, C, H, W).

        Returns a dict with ``inputs`` (a new tensor), ``grid_sizes`` (the
        patch side drawn for each image) and ``hidden`` (B, H, W) bool.
        """
        if inputs.dim() != 4:
            raise ValueError(f'HidePatches needs a (B, C, H, W) batch, got '
                             f'shape {tuple(inputs.shape)}')
        batch, _, height, width = inputs.shape
        hidden = torch.zeros(batch, height, width, dtype=torch.bool)
        sizes = []
        for index in range(batch):
            size = (random.choice(self.grid_sizes)
                    if len(self.grid_sizes) > 1 else self.grid_sizes[0])
            sizes.append(size)
            if size > 0:
                hidden[index] = self.hidden_mask(height, width, size)
        hidden = hidden.to(inputs.device)
        return dict(inputs=inputs.masked_fill(hidden[:, None], 0.),
                    grid_sizes=sizes, hidden=hidden)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(grid_sizes={self.grid_sizes}, '
                f'drop_rate={self.drop_rate})')
