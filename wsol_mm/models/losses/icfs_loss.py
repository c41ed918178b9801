"""Inter-class feature similarity (ICFS) loss of ISIC (Eq. 5)."""
import torch
import torch.nn as nn

from wsol_mm.registry import MODELS


def similar_class_matrix(similar) -> torch.Tensor:
    """The (K, K) bool matrix of similar sets, diagonal cleared.

    Row ``i`` holds ``M_i = {j | S_ij > gamma}`` (ISIC, section 3.4); a class
    is not its own similar category, so the diagonal is set to False.

    Args:
        similar (Tensor | ndarray): a (K, K) matrix of bools, or of 0 and 1.

    Returns:
        Tensor: a new (K, K) bool tensor on the input's device.
    """
    matrix = torch.as_tensor(similar)
    if matrix.dim() != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f'similar must be a square (K, K) matrix, got shape '
                         f'{tuple(matrix.shape)}')
    if matrix.dtype != torch.bool:
        if not ((matrix == 0) | (matrix == 1)).all():
            raise ValueError(f'similar must hold bools (or 0 and 1), got '
                             f'dtype {matrix.dtype} with other values')
        matrix = matrix != 0
    matrix = matrix.clone()
    matrix.fill_diagonal_(False)
    return matrix


@MODELS.register_module()
class ICFSLoss(nn.Module):
    """Pulls the features of similar classes together (ISIC, Eq. 5).

    For every class ``i`` of the batch whose similar set ``M_i`` holds classes
    of the batch, ``U_i = 1 / |M_i'| * sum_{j in M_i'} mean_{p, q}
    ||x_i^p - x_j^q||_2^2`` with ``M_i'`` the classes of ``M_i`` in the
    batch, ``p`` over the samples of class ``i`` and ``q`` over those of
    ``j`` (the Monte-Carlo upper bound of Eq. 4). The loss is the mean of
    ``U_i`` over those classes, times ``loss_weight``; a batch without a
    similar pair gives 0. ``M_i`` need not be symmetric: a pair counts for
    ``i`` whenever ``j in M_i``.

    The similar sets are set by :class:`ClassSimilarityHook` (or
    :meth:`set_similar_classes`) before training; a class is not its own
    similar category (the diagonal is ignored).

    Args:
        loss_weight (float): factor of the loss (lambda of Eq. 6).
    """

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight
        self.register_buffer('similar', None, persistent=False)

    def set_similar_classes(self, similar) -> None:
        """Sets the similar sets from a (K, K) bool matrix, row ``i`` being
        ``M_i``."""
        self.similar = similar_class_matrix(similar)

    def forward(self, features: torch.Tensor,
                labels: torch.Tensor) -> torch.Tensor:
        """The loss of (B, D) ``features`` with (B,) class ``labels``."""
        similar = self._similar_on(labels.device)
        self._check(features, labels, similar.shape[0])
        classes, position = torch.unique(labels, return_inverse=True)
        members = (position[None] == torch.arange(
            len(classes), device=labels.device)[:, None]).to(features.dtype)
        weights = members / members.sum(1, keepdim=True)
        means = weights @ features
        # mean_{p,q} ||x_i^p - x_j^q||^2 = ||mu_i - mu_j||^2 + v_i + v_j, with
        # v_i = mean_p ||x_i^p - mu_i||^2: exact, and O(B D) memory.
        spread = weights @ (features - means[position]).pow(2).sum(1)
        pairs = similar[classes][:, classes]
        anchor, other = pairs.nonzero(as_tuple=True)
        if len(anchor) == 0:
            return features.sum() * 0
        pair_cost = (means[anchor] - means[other]).pow(2).sum(1) + \
            spread[anchor] + spread[other]
        per_anchor = pair_cost.new_zeros(len(classes)).index_add(
            0, anchor, pair_cost)
        num_similar = pairs.sum(1)
        has_similar = num_similar > 0
        upper_bounds = per_anchor[has_similar] / num_similar[has_similar]
        return upper_bounds.mean() * self.loss_weight

    def _similar_on(self, device: torch.device) -> torch.Tensor:
        if self.similar is None:
            raise RuntimeError(
                'ICFSLoss has no similar classes: add a ClassSimilarityHook '
                'to custom_hooks (or call set_similar_classes) before '
                'training')
        if self.similar.device != device:
            self.similar = self.similar.to(device)
        return self.similar

    @staticmethod
    def _check(features: torch.Tensor, labels: torch.Tensor,
               num_classes: int) -> None:
        if features.dim() != 2:
            raise ValueError(f'features must be (B, D), got shape '
                             f'{tuple(features.shape)}')
        if labels.shape != features.shape[:1] or labels.is_floating_point():
            raise ValueError(
                f'labels must be (B,) = ({features.shape[0]},) integers, got '
                f'shape {tuple(labels.shape)} and dtype {labels.dtype}')
        if len(labels) and (int(labels.max()) >= num_classes
                            or int(labels.min()) < 0):
            raise ValueError(
                f'labels {labels.tolist()} must lie in [0, K) with K = '
                f'{num_classes}, the size of the similarity matrix')
