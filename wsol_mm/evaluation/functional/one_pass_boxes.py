"""Contour boxes of a map at every level from one sweep (union-find).

The protocol binarises a uint8 map ``image`` at integer levels ``L``
(foreground ``image > L``) and takes the contours of
``cv2.findContours(RETR_TREE, CHAIN_APPROX_SIMPLE)``. Their boxes follow from
connected components, found for all levels at once by sweeps over the pixels
sorted by value (counting sort, union-find with a per-component box):

1. **Outer contours** are the 8-connected foreground components
   (:func:`_component_sweep` on ``image``, pixels added in decreasing value);
   a contour's box is its component's bounding box.
2. **Hole contours** are the 4-connected background components of
   ``image <= L`` that do not touch the image border (OpenCV pads the image
   with a zero frame). A priority flood gives every pixel its *border level*,
   the first level at which the border's background component reaches it
   (:func:`_border_levels`); only pixels below their border level are ever in
   a hole, and :func:`_hole_sweep` adds them in increasing value. The rim
   traced around a hole is the hole's 4-neighbourhood, so its box is the
   hole's bounding box grown by one pixel.
3. **The largest contour** (MaxBoxAcc keeps the one with the largest
   ``cv2.contourArea``). A hole's polygon lies inside its parent's outer
   polygon and comes after it in OpenCV's (depth-first) order, so the largest
   contour is always the outer contour of a component that no hole encloses.
   Its polygon, traced through the border pixels' centres, encloses the
   component with its holes filled, i.e. a component of ``border level > L``;
   over the 2x2 pixel cells of the zero-padded image its area is ``#cells
   with 4 corners inside + 1/2 #cells with 3``. :func:`_component_sweep` on
   the border levels finds them. Ties go to the component OpenCV's raster
   scan finds last (it lists siblings in reverse order of discovery), i.e.
   the one whose first pixel in raster order comes last.

A box is ``[x, y, min(x + w, W - 1), min(y + h, H - 1)]`` of OpenCV's
``boundingRect`` ``(x, y, w, h)``, and a level without foreground gives the
box ``[0, 0, 0, 0]``, as in wsolevaluation. Everything is compiled with Numba;
:mod:`.box_extraction` keeps the per-level OpenCV path as the reference, and
``tests/test_evaluation/test_one_pass_boxes.py`` compares the two.
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


def _ring_tables():
    """Lookup tables over the 8-bit mask of a pixel's neighbours already in
    the sweep, in ring order N, NE, E, SE, S, SW, W, NW (bit i).

    Consecutive ring neighbours touch (8-connectivity), so each circular run
    of set bits lies in one component: ``runs[m]`` runs, represented by the
    bits ``reps[m, :runs[m]]``. ``gain[m]`` is twice the polygon area the
    pixel adds: +1 for each of its four 2x2 cells in which it is the 3rd or
    4th corner.
    """
    reps = np.zeros((256, 4), dtype=np.int64)
    runs = np.zeros(256, dtype=np.int64)
    gain = np.zeros(256, dtype=np.int64)
    cells = ((6, 7, 0), (0, 1, 2), (2, 3, 4), (4, 5, 6))
    for mask in range(256):
        bits = [(mask >> i) & 1 for i in range(8)]
        starts = [0] if mask == 255 else [
            i for i in range(8) if bits[i] and not bits[i - 1]]
        runs[mask] = len(starts)
        reps[mask, :len(starts)] = starts
        gain[mask] = sum(sum(bits[i] for i in cell) >= 2 for cell in cells)
    return reps, runs, gain


_RING_REPS, _RING_RUNS, _CELL_GAIN = _ring_tables()


@_njit
def _sweep_order(values, num_values, descending):
    """Pixels in sweep order (a counting sort of ``values``, ints in
    [0, num_values)) and ``ends[v]``: how many pixels the sweep adds up to level
    ``v``, those with a value ``> v`` (``<= v`` when ascending)."""
    counts = np.zeros(num_values + 1, dtype=np.int64)
    for v in values:
        key = num_values - 1 - v if descending else v
        counts[key + 1] += 1
    for key in range(num_values):
        counts[key + 1] += counts[key]
    fill = counts[:-1].copy()
    order = np.empty(values.size, dtype=np.int32)
    for i in range(values.size):
        v = values[i]
        key = num_values - 1 - v if descending else v
        order[fill[key]] = i
        fill[key] += 1
    ends = np.empty(num_values, dtype=np.int64)
    for v in range(num_values):
        ends[v] = counts[num_values - 1 - v] if descending \
            else counts[v + 1]
    return order, ends


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
def _grow(box, r, x, y):
    """Grow root ``r``'s box to pixel ``x, y``."""
    box[r, 0] = min(box[r, 0], x)
    box[r, 1] = min(box[r, 1], y)
    box[r, 2] = max(box[r, 2], x)
    box[r, 3] = max(box[r, 3], y)


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
    """Append root ``r`` to the live list; return the new count."""
    live[count] = r
    slot[r] = count
    return count + 1


@_njit_inline
def _drop(live, slot, count, r):
    """Remove root ``r`` from the live list (the last entry takes its
    place); return the new count."""
    i = slot[r]
    if i < 0:
        return count
    last = live[count - 1]
    live[i] = last
    slot[last] = i
    slot[r] = -1
    return count - 1


@_njit_inline
def _forest(n):
    """Union-find arrays of ``n`` nodes: parent, size, box."""
    return (np.empty(n, dtype=np.int32), np.ones(n, dtype=np.int32),
            np.empty((n, 4), dtype=np.int32))


@_njit_inline
def _live_state(n):
    """The live list of roots and every root's slot in it."""
    return np.empty(n, dtype=np.int32), np.full(n, -1, dtype=np.int32)


@_njit_inline
def _level_outputs(num_levels, emit):
    """Per level the best IoU (-1: none), the emitted boxes' buffer and the
    contour counts."""
    return (np.full(num_levels, -1.0),
            np.empty((16 if emit else 1, 4), dtype=np.int64),
            np.zeros(num_levels, dtype=np.int64))


@_njit
def _component_sweep(values, height, width, levels, gt, largest, emit):
    """The 8-connected components of ``values > L`` at every level ``L``.

    Pixels join in decreasing value; a pixel is united with one neighbour
    per run of its ring mask (see :func:`_ring_tables`). Every component
    keeps its box, twice its polygon area and its first pixel in raster
    order (with ``largest`` only). At each level, the live components (a
    list of roots) give the level's boxes and IoUs.

    Returns ``(best_iou, chosen, boxes, counts)``, per level: with
    ``largest``, the box of the component of largest area (ties: the one
    whose first pixel comes last; ``[0, 0, 0, 0]`` without components) in
    ``chosen`` and its IoU; otherwise the best IoU of all components' boxes
    (-1 without components) and, with ``emit``, their boxes, the levels
    from the last to the first one after the other. ``counts`` are the
    numbers of components.
    """
    n = height * width
    order, ends = _sweep_order(values, 256, True)
    padded_width = width + 2
    seen = np.zeros((height + 2) * padded_width, dtype=np.uint8)
    ring = np.array([-padded_width, 1 - padded_width, 1, padded_width + 1,
                     padded_width, padded_width - 1, -1, -padded_width - 1])
    step = np.array([-width, 1 - width, 1, width + 1, width, width - 1, -1,
                     -width - 1])
    parent, size, box = _forest(n)
    area2 = np.zeros(n, dtype=np.int64)
    first = np.empty(n, dtype=np.int32)
    live, slot = _live_state(n)
    num_live = num_out = 0
    best, out, counts = _level_outputs(levels.size, emit)
    chosen = np.zeros((levels.size, 4), dtype=np.int64)
    k = 0
    for j in range(levels.size - 1, -1, -1):
        end = ends[min(levels[j], 255)]
        while k < end:
            p = order[k]
            y = p // width
            x = p - y * width
            centre = p + padded_width + 1 + 2 * y
            mask = 0
            for i in range(8):
                mask |= seen[centre + ring[i]] << i
            seen[centre] = 1
            root = -1
            for r in range(_RING_RUNS[mask]):
                other = _find(parent, p + step[_RING_REPS[mask, r]])
                if root < 0:
                    root = other
                elif other != root:
                    root, absorbed = _unite(parent, size, box, root, other)
                    if largest:
                        area2[root] += area2[absorbed]
                        first[root] = min(first[root], first[absorbed])
                    num_live = _drop(live, slot, num_live, absorbed)
            if root < 0:
                _new_node(p, x, y, parent, box)
                first[p] = p
                num_live = _add_live(live, slot, num_live, p)
                root = p
            else:
                parent[p] = root
                size[root] += 1
                if largest:
                    first[root] = min(first[root], p)
                _grow(box, root, x, y)
            if largest:
                area2[root] += _CELL_GAIN[mask]
            k += 1
        counts[j] = num_live
        if largest:
            pick = -1
            for i in range(num_live):
                r = live[i]
                if pick < 0 or area2[r] > area2[pick] or (
                        area2[r] == area2[pick] and first[r] > first[pick]):
                    pick = r
            if pick >= 0:
                chosen[j, 0] = box[pick, 0]
                chosen[j, 1] = box[pick, 1]
                chosen[j, 2] = min(box[pick, 2] + 1, width - 1)
                chosen[j, 3] = min(box[pick, 3] + 1, height - 1)
            best[j] = _box_iou(chosen[j, 0], chosen[j, 1], chosen[j, 2],
                               chosen[j, 3], gt)
            continue
        for i in range(num_live):
            r = live[i]
            x0, y0 = box[r, 0], box[r, 1]
            x1 = min(box[r, 2] + 1, width - 1)
            y1 = min(box[r, 3] + 1, height - 1)
            best[j] = max(best[j], _box_iou(x0, y0, x1, y1, gt))
            if emit:
                out = _append(out, num_out, x0, y0, x1, y1)
                num_out += 1
    return best, chosen, out[:num_out], counts


@_njit
def _border_levels(image):
    """For every pixel, the first level ``L`` at which the border's
    background component of ``image <= L`` (4-connected, the zero frame
    included) reaches it: the min over 4-paths to the border of the max
    value on the path (grayscale hole filling), by a priority flood with
    one stack per value over the image padded with a done frame."""
    height, width = image.shape
    padded_width = width + 2
    size = (height + 2) * padded_width
    value = np.zeros(size, dtype=np.int32)
    done = np.ones(size, dtype=np.bool_)  # queued or frame
    for y in range(height):
        row = (y + 1) * padded_width + 1
        for x in range(width):
            value[row + x] = image[y, x]
            done[row + x] = y == 0 or x == 0 or y == height - 1 \
                or x == width - 1
    level = np.empty(size, dtype=np.int32)
    head = np.full(256, -1, dtype=np.int32)  # a stack per priority
    below = np.empty(size, dtype=np.int32)
    for y in range(height):
        for x in range(width):
            if y == 0 or x == 0 or y == height - 1 or x == width - 1:
                q = (y + 1) * padded_width + x + 1
                below[q] = head[value[q]]
                head[value[q]] = q
    steps = np.array([-padded_width, padded_width, -1, 1], dtype=np.int32)
    current = 0
    while current < 256:
        q = head[current]
        if q < 0:
            current += 1
            continue
        head[current] = below[q]
        level[q] = current
        for d in range(4):
            r = q + steps[d]
            if done[r]:
                continue
            done[r] = True
            priority = max(current, value[r])
            below[r] = head[priority]
            head[priority] = r
    result = np.empty(height * width, dtype=np.int32)
    for y in range(height):
        row = (y + 1) * padded_width + 1
        result[y * width:(y + 1) * width] = level[row:row + width]
    return result


@_njit
def _hole_sweep(image, border_level, levels, gt, emit):
    """Hole contours: the 4-connected components of ``image <= L`` that the
    border's component has not reached (``border_level > L``).

    Only pixels below their border level can be in a hole; all pixels of a
    hole share their border level, at which the hole opens (a bucket per
    level lists the holes opening there). Returns ``(best_iou, boxes,
    counts)`` per level as :func:`_component_sweep` (-1 without holes; the
    emitted boxes from the first level to the last).
    """
    height, width = image.shape
    flat = image.ravel()
    candidates = np.flatnonzero(flat < border_level).astype(np.int32)
    n = candidates.size
    order, ends = _sweep_order(flat[candidates], 256, False)
    padded_width = width + 2
    node = np.full((height + 2) * padded_width, -1, dtype=np.int32)
    steps = np.array([-padded_width, padded_width, -1, 1])
    parent, size, box = _forest(n)
    opening = np.full(256, -1, dtype=np.int32)  # holes by opening level
    next_opening = np.empty(n, dtype=np.int32)
    live, slot = _live_state(n)
    num_live = num_out = 0
    best, out, counts = _level_outputs(levels.size, emit)
    k = 0
    opened = -1  # the buckets up to this level are processed
    for j in range(levels.size):
        level = min(levels[j], 255)
        while k < ends[level]:
            p = candidates[order[k]]
            y = p // width
            x = p - y * width
            centre = p + padded_width + 1 + 2 * y
            node[centre] = k
            root = -1
            for d in range(4):
                q = node[centre + steps[d]]
                if q < 0:
                    continue
                other = _find(parent, q)
                if root < 0:
                    root = other
                elif other != root:
                    root, absorbed = _unite(parent, size, box, root, other)
                    num_live = _drop(live, slot, num_live, absorbed)
            if root < 0:
                _new_node(k, x, y, parent, box)
                next_opening[k] = opening[border_level[p]]
                opening[border_level[p]] = k
                num_live = _add_live(live, slot, num_live, k)
            else:
                parent[k] = root
                size[root] += 1
                _grow(box, root, x, y)
            k += 1
        while opened < level:  # holes the border's component reaches now
            opened += 1
            r = opening[opened]
            while r >= 0:
                num_live = _drop(live, slot, num_live, r)
                r = next_opening[r]
        for i in range(num_live):
            r = live[i]
            x0, y0 = box[r, 0] - 1, box[r, 1] - 1
            x1 = min(box[r, 2] + 2, width - 1)
            y1 = min(box[r, 3] + 2, height - 1)
            best[j] = max(best[j], _box_iou(x0, y0, x1, y1, gt))
            if emit:
                out = _append(out, num_out, x0, y0, x1, y1)
                num_out += 1
        counts[j] = num_live
    return best, out[:num_out], counts


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
    height, width = image.shape
    border_level = _border_levels(image)
    curves = []
    if largest:
        curves.append(_component_sweep(border_level, height, width, levels,
                                       gt_boxes, True, False)[0])
    if every:
        outer = _component_sweep(image.ravel(), height, width, levels,
                                 gt_boxes, False, False)[0]
        holes = _hole_sweep(image, border_level, levels, gt_boxes, False)[0]
        # Without foreground the only box is [0, 0, 0, 0].
        empty = box_iou(np.zeros((1, 4), dtype=np.int64), gt_boxes).max()
        curves.append(np.where(outer < 0, empty, np.maximum(outer, holes)))
    return tuple(curves)


def one_pass_components(image: np.ndarray, levels
                        ) -> Tuple[np.ndarray, np.ndarray]:
    """The largest contour's box and the number of 8-connected foreground
    components at every level.

    Returns:
        tuple: ``(boxes, counts)``, (len(levels), 4) int64 boxes (``[0, 0,
        0, 0]`` without foreground) and (len(levels),) int64 counts.
    """
    check_numba()
    image = np.ascontiguousarray(image, dtype=np.uint8)
    levels = _as_levels(levels)
    height, width = image.shape
    no_gt = np.zeros((1, 4), dtype=np.int64)
    largest = _component_sweep(_border_levels(image), height, width, levels,
                               no_gt, True, False)[1]
    counts = _component_sweep(image.ravel(), height, width, levels, no_gt,
                              False, False)[3]
    return largest, counts


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
    height, width = image.shape
    no_gt = np.zeros((1, 4), dtype=np.int64)
    border_level = _border_levels(image)
    largest = _component_sweep(border_level, height, width, levels, no_gt,
                               True, False)[1]
    if not multi_contour:
        return [largest[j:j + 1].copy() for j in range(levels.size)]
    _, _, outer, outer_counts = _component_sweep(
        image.ravel(), height, width, levels, no_gt, False, True)
    _, holes, hole_counts = _hole_sweep(image, border_level, levels, no_gt,
                                        True)
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
