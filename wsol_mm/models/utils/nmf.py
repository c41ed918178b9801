"""Rank-1 non-negative matrix factorisation and the NMF masks of ISIC.

Section 3.5 of ISIC: the pixel vectors of the T images of one class are
stacked into ``Theta`` (T*H*W, N), factorised as ``Theta ~ theta1 theta2``
(Eq. 8 with one component), and ``theta2`` projects each feature map onto a
mask, ``M = F . theta2^T``.

For a non-negative matrix the rank-1 NMF optimum is the leading singular pair
(Perron-Frobenius: the leading singular vectors of a non-negative matrix can
be taken non-negative), so alternating the exact rank-1 least-squares updates
from a non-negative start is a power iteration on ``Theta^T Theta``: it stays
non-negative (the ``max(., 0)`` of the non-negative least-squares updates
never binds) and converges at the rate ``(s2 / s1)^2`` of the two largest
singular values, a few iterations on feature maps dominated by their mean.
"""
from typing import Tuple

import torch


def nmf_rank1(matrix: torch.Tensor,
              num_iters: int = 100,
              tol: float = 1e-6) -> Tuple[torch.Tensor, torch.Tensor]:
    """Rank-1 NMF ``matrix ~ outer(theta1, theta2)`` in the Frobenius norm.

    Deterministic (started from the column sums); computed on the matrix's
    device and dtype, without gradient.

    Args:
        matrix (Tensor): (M, N) non-negative floats.
        num_iters (int): most alternating updates.
        tol (float): stop when ``theta2`` moves less than this (L2).

    Returns:
        tuple[Tensor, Tensor]: ``theta1`` (M,) and ``theta2`` (N,), both
        non-negative, ``theta2`` of unit L2 norm (``theta1`` holds the scale);
        for an all-zero matrix ``theta1`` is 0 and ``theta2`` uniform.
    """
    if matrix.dim() != 2:
        raise ValueError(f'matrix must be (M, N), got shape '
                         f'{tuple(matrix.shape)}')
    _check_non_negative(matrix)
    return _rank1_of_blocks(matrix.T[None], num_iters, tol)


def nmf_masks(features: torch.Tensor,
              num_iters: int = 100,
              tol: float = 1e-6) -> torch.Tensor:
    """The NMF masks (T, H, W) of the T images of one class (ISIC, 3.5).

    ``Theta`` (T*H*W, N) has one row per pixel ``(t, h, w)``, in that order;
    with ``theta2`` of :func:`nmf_rank1` on ``Theta`` the masks are
    ``einsum('tnhw,n->thw', features, theta2)``, which is ``theta1``
    reshaped. ``Theta`` is never copied: the products run on ``features``.

    Args:
        features (Tensor): (T, N, H, W) non-negative float feature maps.
        num_iters (int): most alternating updates of :func:`nmf_rank1`.
        tol (float): its stopping tolerance.
    """
    if features.dim() != 4:
        raise ValueError(f'features must be (T, N, H, W), got shape '
                         f'{tuple(features.shape)}')
    num_images, _, height, width = features.shape
    if num_images == 0:
        raise ValueError('features hold no image (T = 0)')
    _check_non_negative(features)
    theta1, _ = _rank1_of_blocks(features.flatten(2), num_iters, tol)
    return theta1.view(num_images, height, width)


def _check_non_negative(tensor: torch.Tensor) -> None:
    """On the caller's tensor: its minimum is a single pass there, but 40x
    slower on the transposed view ``_rank1_of_blocks`` gets from
    :func:`nmf_rank1` (measured: 662 ms against 16 ms for 48M floats)."""
    if not tensor.is_floating_point():
        raise ValueError(f'NMF needs floats, got dtype {tensor.dtype}')
    if tensor.numel() and float(tensor.min()) < 0:
        raise ValueError(f'NMF needs non-negative entries; the minimum is '
                         f'{float(tensor.min())}')


@torch.no_grad()
def _rank1_of_blocks(blocks: torch.Tensor, num_iters: int,
                     tol: float) -> Tuple[torch.Tensor, torch.Tensor]:
    """Rank-1 NMF of ``Theta``, the rows of the (T, N, P) ``blocks``' (P, N)
    transposes stacked: ``Theta @ v`` is ``v @ blocks`` and ``Theta^T @ u``
    is ``sum_t blocks[t] @ u[t]``."""
    if int(num_iters) != num_iters or num_iters < 1:
        raise ValueError(f'num_iters must be a positive integer, got '
                         f'{num_iters}')
    if tol < 0:
        raise ValueError(f'tol must be >= 0, got {tol}')
    theta2 = blocks.sum((0, 2))
    norm = torch.linalg.vector_norm(theta2)
    if norm == 0:
        return (blocks.new_zeros(blocks.shape[0] * blocks.shape[2]),
                torch.full_like(theta2, theta2.numel()**-0.5))
    theta2 = theta2 / norm
    for _ in range(int(num_iters)):
        theta1 = theta2 @ blocks  # Theta theta2 / |theta2|^2, as (T, P)
        # Theta^T theta1 as row vectors times the (P, N) blocks: 3x faster
        # than the blocks times column vectors on the CPU.
        update = (theta1[:, None] @ blocks.mT).sum((0, 1))
        update = update / torch.linalg.vector_norm(update)
        change = torch.linalg.vector_norm(update - theta2)
        theta2 = update
        if change < tol:
            break
    return (theta2 @ blocks).flatten(), theta2
