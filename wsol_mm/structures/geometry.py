"""Where a network input's pixels come from in the original image.

Every geometric transform of ``wsol_mm`` composes its 3x3 matrix into
``results['homography_matrix']`` (MMDetection 3's convention): the matrix
maps original-image pixel coordinates to network-input coordinates,
``[x', y', 1] ~ H @ [x, y, 1]``. Coordinates are continuous, pixel ``i``
spans ``[i, i + 1)``. :class:`PackWSOLInputs` packs the matrix into the data
sample's meta information, and the functions below bring per-image outputs
of the network (score maps, masks, boxes) back to the original image through
its inverse. :func:`inverse_warp` does the same between two views of one
input (SLT-Net's second view).
"""
from typing import Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F

HOMOGRAPHY_KEY = 'homography_matrix'


def scale_matrix(x_scale: float, y_scale: float) -> np.ndarray:
    """``x' = x_scale * x``, ``y' = y_scale * y``."""
    return np.diag([float(x_scale), float(y_scale), 1.0])


def translation_matrix(dx: float, dy: float) -> np.ndarray:
    """``x' = x + dx``, ``y' = y + dy``."""
    matrix = np.eye(3)
    matrix[:2, 2] = (dx, dy)
    return matrix


def horizontal_flip_matrix(width: float) -> np.ndarray:
    """``x' = width - x`` (the mirror of an image of that width)."""
    return np.array([[-1.0, 0.0, float(width)], [0.0, 1.0, 0.0],
                     [0.0, 0.0, 1.0]])


def record_homography(results: dict, matrix: np.ndarray) -> dict:
    """Compose a transform's ``matrix`` after the ones already recorded."""
    done = results.get(HOMOGRAPHY_KEY)
    done = np.eye(3) if done is None else np.asarray(done, dtype=np.float64)
    results[HOMOGRAPHY_KEY] = np.asarray(matrix, dtype=np.float64) @ done
    return results


def homography_of(metainfo: dict) -> np.ndarray:
    """The original-to-input matrix of a data sample's meta information.

    A sample that went through no recorded transform has the identity, which
    is only right when its ``img_shape`` is its ``ori_shape``; otherwise a
    transform changed the image without recording it (e.g. a transform of
    another package) and the error says so.
    """
    matrix = metainfo.get(HOMOGRAPHY_KEY)
    if matrix is not None:
        matrix = np.asarray(matrix, dtype=np.float64)
        if matrix.shape != (3, 3):
            raise ValueError(f'{HOMOGRAPHY_KEY} must be 3x3, got shape '
                             f'{matrix.shape} ({metainfo.get("img_path")})')
        return matrix
    img_shape = metainfo.get('img_shape')
    ori_shape = metainfo.get('ori_shape')
    if img_shape is not None and ori_shape is not None and \
            tuple(img_shape[:2]) != tuple(ori_shape[:2]):
        raise ValueError(
            f'{metainfo.get("img_path")}: the input ({tuple(img_shape[:2])}) '
            f'differs from the original image ({tuple(ori_shape[:2])}) but '
            f'no {HOMOGRAPHY_KEY} was recorded: use the transforms of '
            'wsol_mm (Resize, CenterCrop, RandomCrop, RandomFlip, '
            'RandomResizedCrop), which record what they do, and pack it with '
            'PackWSOLInputs')
    return np.eye(3)


def _apply(matrix: np.ndarray, xs: np.ndarray, ys: np.ndarray
           ) -> Tuple[np.ndarray, np.ndarray]:
    points = np.stack([xs, ys, np.ones_like(xs)]).reshape(3, -1)
    mapped = matrix @ points
    mapped = mapped[:2] / mapped[2:]
    return mapped[0].reshape(xs.shape), mapped[1].reshape(ys.shape)


def boxes_to_original(boxes: Union[np.ndarray, torch.Tensor],
                      homography: np.ndarray,
                      ori_shape: Optional[Sequence[int]] = None
                      ) -> np.ndarray:
    """(k, 4) ``x0 y0 x1 y1`` boxes on the network input -> the boxes of
    their corners in original-image pixels (float64), clipped to the image
    when ``ori_shape`` (H, W) is given. A flip swaps ``x0`` and ``x1``
    back."""
    if isinstance(boxes, torch.Tensor):
        boxes = boxes.detach().cpu().numpy()
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    inverse = np.linalg.inv(np.asarray(homography, dtype=np.float64))
    xs = boxes[:, [0, 2, 0, 2]]
    ys = boxes[:, [1, 1, 3, 3]]
    xs, ys = _apply(inverse, xs, ys)
    result = np.stack([xs.min(1), ys.min(1), xs.max(1), ys.max(1)], axis=1)
    if ori_shape is not None:
        height, width = ori_shape[:2]
        result[:, 0::2] = result[:, 0::2].clip(0, width)
        result[:, 1::2] = result[:, 1::2].clip(0, height)
    return result


def maps_to_original(maps: torch.Tensor, homography: np.ndarray,
                     ori_shape: Sequence[int], mode: str = 'bilinear'
                     ) -> Tuple[torch.Tensor, torch.Tensor]:
    """(K, h, w) maps covering the network input -> (K, H, W) maps on the
    original image, and the (H, W) bool field of view.

    An original pixel takes the sample of the maps at the input position of
    its centre, ``H @ (x + 0.5, y + 0.5)`` (``grid_sample`` with
    ``align_corners=False``: bilinear, or ``'nearest'`` for label maps; the
    border between the outer pixel centres and the input's edge replicates
    the edge). It is in the field of view when that position lies in the
    input, ``[0, w] x [0, h]``; outside, the returned value is the nearest
    edge value and should be ignored (pseudo masks set it to 255).

    Args:
        maps (Tensor): (K, h, w) maps on the input grid (``img_shape``).
        homography (ndarray): the sample's original-to-input 3x3 matrix.
        ori_shape (Sequence[int]): (H, W) of the original image.
        mode (str): ``'bilinear'`` or ``'nearest'``.
    """
    if maps.dim() != 3:
        raise ValueError(f'maps must be (K, h, w), got shape '
                         f'{tuple(maps.shape)}')
    if mode not in ('bilinear', 'nearest'):
        raise ValueError(f"mode must be 'bilinear' or 'nearest', got {mode!r}")
    _, map_h, map_w = maps.shape
    height, width = (int(s) for s in ori_shape[:2])
    ys, xs = np.mgrid[0:height, 0:width] + 0.5
    xs, ys = _apply(np.asarray(homography, dtype=np.float64), xs, ys)
    valid = (xs >= 0) & (xs <= map_w) & (ys >= 0) & (ys <= map_h)
    grid = np.stack([2 * xs / map_w - 1, 2 * ys / map_h - 1], axis=-1)
    dtype = maps.dtype if maps.is_floating_point() else torch.float32
    grid = torch.as_tensor(grid, dtype=dtype, device=maps.device)
    resampled = F.grid_sample(
        maps[None].to(dtype), grid[None], mode=mode, padding_mode='border',
        align_corners=False)[0]
    return (resampled.to(maps.dtype),
            torch.as_tensor(valid, device=maps.device))


def inverse_warp(map_view2: torch.Tensor,
                 affine: Union[torch.Tensor, np.ndarray],
                 out_shape: Sequence[int],
                 img_shape: Optional[Sequence[int]] = None,
                 view2_shape: Optional[Sequence[int]] = None
                 ) -> Tuple[torch.Tensor, torch.Tensor]:
    """Resample maps of view 2 onto the original's grid (``g'`` of SLT-Net's
    Eq. 12; view 2 and its ``view2_affine`` come from :class:`PairedViews`).

    Maps cover their image uniformly (as the protocol assumes when it
    resizes CAMs to the image): a (h2, w2) map over the ``W2 x H2`` view
    holds the value of view-2 position ``((j + 0.5) W2 / w2, (i + 0.5) H2 /
    h2)`` at ``[i, j]``. The output pixel at continuous image position ``p``
    takes the bilinear sample of ``map_view2`` at ``A @ p``
    (``F.affine_grid`` / ``F.grid_sample`` with ``align_corners=False``);
    between the outer pixel centres and the view's border the edge values
    are replicated (border padding, as ``cv2.resize`` does).

    Args:
        map_view2 (Tensor): (B, C, h, w) maps covering view 2.
        affine (Tensor | ndarray): (B, 2, 3) or (2, 3) ``view2_affine``s, in
            image pixels.
        out_shape (Sequence[int]): (h_out, w_out) of the output maps, which
            cover the original image.
        img_shape (Sequence[int], optional): (H, W) of the original image,
            the units of the affine's input; defaults to ``out_shape``.
        view2_shape (Sequence[int], optional): (H2, W2) of the view-2 image,
            the units of its output; defaults to ``img_shape`` (right for a
            'zoom' view only: give it for a 'resize' view).

    Returns:
        tuple[Tensor, Tensor]: The (B, C, h_out, w_out) maps and a bool
        (B, 1, h_out, w_out) mask of the positions seen by view 2: those
        whose ``A @ p`` lies in the view ``[0, W2] x [0, H2]`` (all of them
        for a 'resize' view or a flip; a 'zoom' in by ``s > 1`` loses the
        border).
    """
    if map_view2.dim() != 4:
        raise ValueError(f'map_view2 must be (B, C, h, w), got '
                         f'{tuple(map_view2.shape)}')
    batch, channels = map_view2.shape[:2]
    out_h, out_w = (int(s) for s in out_shape)
    img_h, img_w = (out_h, out_w) if img_shape is None else img_shape
    view_h, view_w = (img_h, img_w) if view2_shape is None else view2_shape
    affine = torch.as_tensor(affine, dtype=torch.float64,
                             device=map_view2.device)
    if affine.dim() == 2:
        affine = affine.expand(batch, 2, 3)
    if affine.shape != (batch, 2, 3):
        raise ValueError(f'affine must be (B, 2, 3) or (2, 3), got '
                         f'{tuple(affine.shape)} for B={batch}')
    # normalised output coordinates -> original pixels -> view-2 pixels ->
    # normalised view-2 coordinates (align_corners=False: x = (g + 1) W / 2)
    to_pixels = affine.new_tensor([[img_w / 2, 0., img_w / 2],
                                   [0., img_h / 2, img_h / 2],
                                   [0., 0., 1.]])
    to_normalised = affine.new_tensor([[2. / view_w, 0., -1.],
                                       [0., 2. / view_h, -1.]])
    homogeneous = torch.cat(
        [affine, affine.new_tensor([[[0., 0., 1.]]]).expand(batch, 1, 3)], 1)
    theta = to_normalised @ homogeneous @ to_pixels
    grid_dtype = (torch.float64
                  if map_view2.dtype == torch.float64 else torch.float32)
    grid = F.affine_grid(theta.to(grid_dtype), [batch, channels, out_h, out_w],
                         align_corners=False)
    warped = F.grid_sample(map_view2, grid.to(map_view2.dtype),
                           mode='bilinear', padding_mode='border',
                           align_corners=False)
    # seen by view 2: A @ p within [0, W2] x [0, H2], i.e. the normalised
    # grid within [-1, 1] (tolerance: 1e-3 view-2 pixels)
    x = (grid[..., 0] + 1) * view_w / 2
    y = (grid[..., 1] + 1) * view_h / 2
    tol = 1e-3
    valid = ((x >= -tol) & (x <= view_w + tol)
             & (y >= -tol) & (y <= view_h + tol))
    return warped, valid[:, None]
