"""Contour boxes of a map at every level from one sweep (union-find).

The protocol binarises a uint8 map ``image`` at integer levels ``L``
(foreground ``image > L``) and takes the contours of
``cv2.findContours(RETR_TREE, CHAIN_APPROX_SIMPLE)``. Their boxes follow from
connected components, which three sweeps over the pixels sorted by value find
for all levels at once:

1. **Outer contours** are the 8-connected foreground components: pixels are
   added in decreasing value; a contour's box is its component's bounding box.
2. **Hole contours** are the 4-connected background components that do not
   touch the image border (OpenCV pads the image with a zero frame): pixels are
   added in increasing value. The rim traced around a hole is the hole's
   4-neighbourhood, so its box is the hole's bounding box grown by one pixel.
3. **The largest contour** (MaxBoxAcc keeps the one with the largest
   ``cv2.contourArea``). A hole's polygon lies inside its parent's outer
   polygon and comes after it in OpenCV's (depth-first) order, so the largest
   contour is always the outer contour of a component that no hole encloses.
   Its polygon, traced through the border pixels' centres, encloses the
   component with its holes filled (``N``: the pixels outside the border's
   background component); over the 2x2 pixel cells of the zero-padded image
   its area is ``#cells with 4 corners in N + 1/2 #cells with 3``. The second
   sweep gives, for every pixel, the first level at which the border's
   component reaches it; a third sweep adds pixels to ``N`` in decreasing
   order of that level. Ties go to the component found last by OpenCV's
   raster scan (it lists siblings in reverse order of discovery), i.e. the
   one whose first pixel in raster order comes last.

A box is ``[x, y, min(x + w, W - 1), min(y + h, H - 1)]`` of OpenCV's
``boundingRect`` ``(x, y, w, h)``, and a level without foreground gives the
box ``[0, 0, 0, 0]``, as in wsolevaluation. Everything is compiled with Numba;
:mod:`.box_extraction` keeps the per-level OpenCV path as the reference.
"""
from typing import List, Tuple

import numpy as np

from .box_iou import box_iou

try:
    import numba
except ImportError:  # pragma: no cover - numba is in requirements/runtime
    numba = None

NUMBA_MISSING = ('the one-pass box extractor needs numba (pip install '
                 "numba); use method='opencv' without it")


def _njit(function):
    """``numba.njit(cache=True)``, or the function itself without Numba
    (it then refuses to run, see :func:`check_numba`)."""
    if numba is None:  # pragma: no cover
        return function
    return numba.njit(cache=True, nogil=True)(function)


def _njit_inline(function):
    """A small kernel helper inlined into its callers (Numba IR inlining:
    no call, no reference counting of its array arguments)."""
    if numba is None:  # pragma: no cover
        return function
    return numba.njit(inline='always')(function)


def check_numba() -> None:
    """Raise ImportError when Numba is not installed."""
    if numba is None:  # pragma: no cover
        raise ImportError(NUMBA_MISSING)


@_njit
def _sweep_order(values, num_values, descending):
    """Pixels in sweep order (a counting sort of ``values``, ints in
    [0, num_values)), the inverse permutation (each pixel's place in the
    sweep), and ``ends[v]``: how many pixels the sweep adds up to level
    ``v``, those with a value ``> v`` (``<= v`` when ascending)."""
    counts = np.zeros(num_values + 1, dtype=np.int64)
    for v in values:
        key = num_values - 1 - v if descending else v
        counts[key + 1] += 1
    for key in range(num_values):
        counts[key + 1] += counts[key]
    fill = counts[:-1].copy()
    order = np.empty(values.size, dtype=np.int32)
    rank = np.empty(values.size, dtype=np.int32)
    for i in range(values.size):
        v = values[i]
        key = num_values - 1 - v if descending else v
        order[fill[key]] = i
        rank[i] = fill[key]
        fill[key] += 1
    ends = np.empty(num_values, dtype=np.int64)
    for v in range(num_values):
        ends[v] = counts[num_values - 1 - v] if descending \
            else counts[v + 1]
    return order, rank, ends


@_njit_inline
def _find(parent, i):
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


@_njit_inline
def _box_iou(x0, y0, x1, y1, gt):
    """Best inclusive-pixel IoU of one box with the GT boxes (as
    :func:`box_iou`)."""
    best = 0.0
    area = (x1 - x0 + 1) * (y1 - y0 + 1)
    for g in range(gt.shape[0]):
        iw = min(x1, gt[g, 2]) - max(x0, gt[g, 0]) + 1
        ih = min(y1, gt[g, 3]) - max(y0, gt[g, 1]) + 1
        inter = max(iw, 0) * max(ih, 0)
        union = area + (gt[g, 2] - gt[g, 0] + 1) * (
            gt[g, 3] - gt[g, 1] + 1) - inter
        if union > 0 and inter / union > best:
            best = inter / union
    return best


@_njit_inline
def _append(buffer, count, x0, y0, x1, y1):
    """Append a box to a growable (n, 4) buffer; return the buffer."""
    if count == buffer.shape[0]:
        grown = np.empty((2 * buffer.shape[0], 4), dtype=np.int64)
        grown[:count] = buffer[:count]
        buffer = grown
    buffer[count, 0] = x0
    buffer[count, 1] = y0
    buffer[count, 2] = x1
    buffer[count, 3] = y1
    return buffer


@_njit_inline
def _new_node(k, x, y, parent, box):
    """Node ``k`` (the k-th pixel of the sweep, at ``x, y``) as a root."""
    parent[k] = k
    box[k, 0] = box[k, 2] = x
    box[k, 1] = box[k, 3] = y


@_njit_inline
def _unite(parent, size, box, a, b):
    """Union by size of roots ``a`` and ``b``; return (kept, absorbed)."""
    if size[a] < size[b]:
        a, b = b, a
    parent[b] = a
    size[a] += size[b]
    box[a, 0] = min(box[a, 0], box[b, 0])
    box[a, 1] = min(box[a, 1], box[b, 1])
    box[a, 2] = max(box[a, 2], box[b, 2])
    box[a, 3] = max(box[a, 3], box[b, 3])
    return a, b


@_njit_inline
def _add_live(live, slot, count, r):
    live[count] = r
    slot[r] = count
    return count + 1


@_njit_inline
def _drop(live, slot, count, r):
    """Remove root ``r`` from the live list; return the new count."""
    i = slot[r]
    if i < 0:
        return count
    last = live[count - 1]
    live[i] = last
    slot[last] = i
    slot[r] = -1
    return count - 1


@_njit
def _foreground_sweep(image, levels, gt, emit):
    """Outer contours (8-connected ``image > L``) at every level ``L``.

    Returns ``(best_iou, boxes, counts)``: per level the best IoU of its
    outer boxes with the GT (-1 without foreground) and its number of outer
    contours; with ``emit``, the boxes of the levels from the last to the
    first, one after the other.
    """
    height, width = image.shape
    n = height * width
    order, rank, ends = _sweep_order(image.ravel(), 256, True)
    parent = np.empty(n, dtype=np.int32)
    size = np.ones(n, dtype=np.int32)
    box = np.empty((n, 4), dtype=np.int32)
    iou = np.zeros(n, dtype=np.float64)
    dirty = np.zeros(n, dtype=np.bool_)
    live = np.empty(n, dtype=np.int32)
    slot = np.full(n, -1, dtype=np.int32)
    num_live = 0
    best = np.full(levels.size, -1.0)
    out = np.empty((16 if emit else 1, 4), dtype=np.int64)
    num_out = 0
    counts = np.zeros(levels.size, dtype=np.int64)
    k = 0
    for j in range(levels.size - 1, -1, -1):
        end = ends[min(levels[j], 255)]
        while k < end:
            p = order[k]
            y = p // width
            x = p - y * width
            _new_node(k, x, y, parent, box)
            root = k
            dirty[k] = True
            num_live = _add_live(live, slot, num_live, k)
            for yy in range(max(y - 1, 0), min(y + 2, height)):
                for xx in range(max(x - 1, 0), min(x + 2, width)):
                    q = rank[yy * width + xx]
                    if q >= k:  # not foreground yet (or the pixel itself)
                        continue
                    other = _find(parent, q)
                    if other == root:
                        continue
                    root, absorbed = _unite(parent, size, box, root, other)
                    num_live = _drop(live, slot, num_live, absorbed)
                    dirty[root] = True
            k += 1
        for i in range(num_live):
            r = live[i]
            x0, y0 = box[r, 0], box[r, 1]
            x1 = min(box[r, 2] + 1, width - 1)
            y1 = min(box[r, 3] + 1, height - 1)
            if dirty[r]:
                iou[r] = _box_iou(x0, y0, x1, y1, gt)
                dirty[r] = False
            best[j] = max(best[j], iou[r])
            if emit:
                out = _append(out, num_out, x0, y0, x1, y1)
                num_out += 1
        counts[j] = num_live
    return best, out[:num_out], counts


@_njit
def _background_sweep(image, levels, gt, emit):
    """Hole contours (4-connected ``image <= L`` not touching the border).

    Returns ``(best_iou, boxes, counts, border_level)``: as
    :func:`_foreground_sweep` for the hole boxes (-1 without holes; the
    emitted boxes from the first level to the last), and for every pixel
    the first level at which the border's background component reaches it
    (256 when it does not by the last level).
    """
    height, width = image.shape
    n = height * width
    flat = image.ravel()
    order, rank, ends = _sweep_order(flat, 256, False)
    parent = np.empty(n, dtype=np.int32)
    size = np.ones(n, dtype=np.int32)
    box = np.empty((n, 4), dtype=np.int32)
    border = np.zeros(n, dtype=np.bool_)
    # Members of every open hole: a list from head[root] to tail[root].
    next_member = np.full(n, -1, dtype=np.int32)
    head = np.arange(n).astype(np.int32)
    tail = head.copy()
    border_level = np.full(n, 256, dtype=np.int32)
    iou = np.zeros(n, dtype=np.float64)
    dirty = np.zeros(n, dtype=np.bool_)
    live = np.empty(n, dtype=np.int32)
    slot = np.full(n, -1, dtype=np.int32)
    num_live = 0
    best = np.full(levels.size, -1.0)
    out = np.empty((16 if emit else 1, 4), dtype=np.int64)
    num_out = 0
    counts = np.zeros(levels.size, dtype=np.int64)
    k = 0
    for j in range(levels.size):
        end = ends[min(levels[j], 255)]
        while k < end:
            p = order[k]
            y = p // width
            x = p - y * width
            value = flat[p]
            _new_node(k, x, y, parent, box)
            root = k
            if y == 0 or x == 0 or y == height - 1 or x == width - 1:
                border[k] = True
                border_level[p] = value
            else:
                dirty[k] = True
                num_live = _add_live(live, slot, num_live, k)
            for d in range(4):
                yy = y + (d == 0) - (d == 1)
                xx = x + (d == 2) - (d == 3)
                if yy < 0 or yy >= height or xx < 0 or xx >= width:
                    continue
                q = rank[yy * width + xx]
                if q >= k:
                    continue
                other = _find(parent, q)
                if other == root:
                    continue
                if border[root] != border[other]:
                    # The open hole reaches the border: its pixels join it.
                    m = head[other] if border[root] else head[root]
                    while m >= 0:
                        border_level[order[m]] = value
                        m = next_member[m]
                    root, absorbed = _unite(parent, size, box, root, other)
                    border[root] = True
                    num_live = _drop(live, slot, num_live, absorbed)
                    num_live = _drop(live, slot, num_live, root)
                elif border[root]:
                    root, absorbed = _unite(parent, size, box, root, other)
                else:  # two open holes become one
                    root, absorbed = _unite(parent, size, box, root, other)
                    next_member[tail[root]] = head[absorbed]
                    tail[root] = tail[absorbed]
                    num_live = _drop(live, slot, num_live, absorbed)
                    dirty[root] = True
            k += 1
        for i in range(num_live):
            r = live[i]
            x0, y0 = box[r, 0] - 1, box[r, 1] - 1
            x1 = min(box[r, 2] + 2, width - 1)
            y1 = min(box[r, 3] + 2, height - 1)
            if dirty[r]:
                iou[r] = _box_iou(x0, y0, x1, y1, gt)
                dirty[r] = False
            best[j] = max(best[j], iou[r])
            if emit:
                out = _append(out, num_out, x0, y0, x1, y1)
                num_out += 1
        counts[j] = num_live
    return best, out[:num_out], counts, border_level


@_njit
def _largest_contour_sweep(border_level, height, width, levels, gt):
    """The largest contour's box at every level, from the levels at which
    the border's background component reaches each pixel.

    ``N(L) = {p: border_level[p] > L}`` grows as ``L`` decreases; its
    8-connected components are the components no hole encloses, filled.
    Returns ``(boxes, ious)``: per level the box of the component of
    largest polygon area (ties: the one whose first pixel comes last in
    raster order), ``[0, 0, 0, 0]`` when ``N`` is empty, and its IoU.
    """
    n = height * width
    order, rank, ends = _sweep_order(border_level, 257, True)
    parent = np.empty(n, dtype=np.int32)
    size = np.ones(n, dtype=np.int32)
    box = np.empty((n, 4), dtype=np.int32)
    area2 = np.zeros(n, dtype=np.int64)  # twice the polygon area
    first = np.empty(n, dtype=np.int32)  # first pixel in raster order
    corners = np.zeros((height + 1) * (width + 1), dtype=np.int8)
    gain = np.array([0, 0, 0, 1, 1])  # twice the area a 4th / 3rd corner adds
    live = np.empty(n, dtype=np.int32)
    slot = np.full(n, -1, dtype=np.int32)
    num_live = 0
    boxes = np.zeros((levels.size, 4), dtype=np.int64)
    ious = np.zeros(levels.size, dtype=np.float64)
    k = 0
    for j in range(levels.size - 1, -1, -1):
        end = ends[min(levels[j], 256)]
        while k < end:
            p = order[k]
            y = p // width
            x = p - y * width
            _new_node(k, x, y, parent, box)
            first[k] = p
            num_live = _add_live(live, slot, num_live, k)
            added = 0
            for cy in range(y, y + 2):
                for cx in range(x, x + 2):
                    c = cy * (width + 1) + cx
                    corners[c] += 1
                    added += gain[corners[c]]
            root = k
            for yy in range(max(y - 1, 0), min(y + 2, height)):
                for xx in range(max(x - 1, 0), min(x + 2, width)):
                    q = rank[yy * width + xx]
                    if q >= k:
                        continue
                    other = _find(parent, q)
                    if other == root:
                        continue
                    root, absorbed = _unite(parent, size, box, root, other)
                    area2[root] += area2[absorbed]
                    first[root] = min(first[root], first[absorbed])
                    num_live = _drop(live, slot, num_live, absorbed)
            area2[root] += added
            k += 1
        chosen = -1
        for i in range(num_live):
            r = live[i]
            if chosen < 0 or area2[r] > area2[chosen] or (
                    area2[r] == area2[chosen] and first[r] > first[chosen]):
                chosen = r
        if chosen >= 0:
            boxes[j, 0] = box[chosen, 0]
            boxes[j, 1] = box[chosen, 1]
            boxes[j, 2] = min(box[chosen, 2] + 1, width - 1)
            boxes[j, 3] = min(box[chosen, 3] + 1, height - 1)
        ious[j] = _box_iou(boxes[j, 0], boxes[j, 1], boxes[j, 2],
                           boxes[j, 3], gt)
    return boxes, ious


def _as_levels(levels) -> np.ndarray:
    levels = np.asarray(levels, dtype=np.int64).reshape(-1)
    if levels.size and (np.diff(levels) <= 0).any():
        raise ValueError('levels must be strictly increasing, got '
                         f'{levels.tolist()}')
    return levels


def one_pass_iou_curves(image: np.ndarray, levels, gt_boxes,
                        largest: bool = True, every: bool = True
                        ) -> Tuple[np.ndarray, ...]:
    """Best IoU with the GT boxes at every level.

    Args:
        image (np.ndarray): (H, W) uint8 map (``(scoremap * 255)`` as uint8).
        levels (array-like): strictly increasing integer levels ``L``
            (foreground ``image > L``).
        gt_boxes (np.ndarray): (k, 4) int64 GT boxes ``x0 y0 x1 y1``.
        largest (bool): give the IoU of the largest contour's box
            (MaxBoxAcc).
        every (bool): give the best IoU over all contours' boxes
            (MaxBoxAccV2).

    Returns:
        tuple: the requested (len(levels),) float64 curves, the largest
        contour's first.
    """
    check_numba()
    image = np.ascontiguousarray(image, dtype=np.uint8)
    levels = _as_levels(levels)
    gt_boxes = np.ascontiguousarray(gt_boxes, dtype=np.int64).reshape(-1, 4)
    holes, _, _, border_level = _background_sweep(image, levels, gt_boxes,
                                                  False)
    curves = []
    if largest:
        curves.append(_largest_contour_sweep(border_level, image.shape[0],
                                             image.shape[1], levels,
                                             gt_boxes)[1])
    if every:
        outer = _foreground_sweep(image, levels, gt_boxes, False)[0]
        # Without foreground the only box is [0, 0, 0, 0].
        empty = box_iou(np.zeros((1, 4), dtype=np.int64), gt_boxes).max()
        curves.append(np.where(outer < 0, empty, np.maximum(outer, holes)))
    return tuple(curves)


def one_pass_boxes(image: np.ndarray, levels, multi_contour: bool
                   ) -> List[np.ndarray]:
    """The contour boxes at every level, as :func:`boxes_at_level` gives
    them (the multi-contour boxes as a set: outer contours first, then
    holes, not in OpenCV's order).

    Returns:
        list[np.ndarray]: one (n, 4) int64 array per level, n >= 1.
    """
    check_numba()
    image = np.ascontiguousarray(image, dtype=np.uint8)
    levels = _as_levels(levels)
    no_gt = np.zeros((1, 4), dtype=np.int64)
    _, _, _, border_level = _background_sweep(image, levels, no_gt, False)
    largest, _ = _largest_contour_sweep(border_level, image.shape[0],
                                        image.shape[1], levels, no_gt)
    if not multi_contour:
        return [largest[j:j + 1].copy() for j in range(levels.size)]
    _, outer, outer_counts = _foreground_sweep(image, levels, no_gt, True)
    _, holes, hole_counts = _background_sweep(image, levels, no_gt, True)[:3]
    # The foreground sweep emits levels from the last to the first.
    outer_ends = np.cumsum(outer_counts[::-1])[::-1]
    hole_starts = np.concatenate([[0], np.cumsum(hole_counts)])
    result = []
    for j in range(levels.size):
        if outer_counts[j] == 0:
            result.append(largest[j:j + 1].copy())
            continue
        end = outer_ends[j]
        result.append(np.concatenate([
            outer[end - outer_counts[j]:end],
            holes[hole_starts[j]:hole_starts[j + 1]]
        ]))
    return result
