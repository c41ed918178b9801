"""A tiered label hierarchy: every leaf has one ancestor at each level.

Levels are ordered fine -> coarse (``levels[0]`` is the leaf level), as in
the hierarchical datasets (``metainfo['levels']``). Coarsening follows Cole et
al., "On Label Granularity and Object Localization" (ECCV 2022): ``c_k`` maps
a leaf to its ancestor ``k`` levels up, and to the coarsest level for every
``k`` at or beyond it.
"""
import csv
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np


class LabelHierarchy:
    """Class names per level and the ancestors of every leaf.

    Args:
        levels (Sequence[str]): Level names, fine -> coarse.
        classes (dict): ``level -> class names`` (label ``i`` is name ``i``).
        ancestors (array-like): ``(num_leaves, len(levels))`` int array; row
            ``i`` holds leaf ``i``'s label at every level (column 0 is ``i``
            itself). ``-1`` marks an ancestor that is not known (a leaf never
            seen); mapping such a leaf raises ``ValueError``.
        leaf_sources (Sequence[str], optional): Where each leaf's row came
            from, used in error messages.

    A class with two different parents at the next level raises
    ``ValueError`` naming the class, both parents and the leaves they came
    from.
    """

    def __init__(self,
                 levels: Sequence[str],
                 classes: Dict[str, Sequence[str]],
                 ancestors,
                 leaf_sources: Optional[Sequence[str]] = None):
        self._levels = tuple(str(level) for level in levels)
        if not self._levels or len(set(self._levels)) != len(self._levels):
            raise ValueError(f'levels must be distinct and non-empty, got '
                             f'{levels}')
        missing = [level for level in self._levels if level not in classes]
        if missing:
            raise ValueError(f'no class names for the levels {missing}')
        self._classes = {
            level: tuple(str(name) for name in classes[level])
            for level in self._levels
        }
        table = np.asarray(ancestors, dtype=np.int64)
        leaf_count = len(self._classes[self._levels[0]])
        if table.shape != (leaf_count, len(self._levels)):
            raise ValueError(f'ancestors must have shape ({leaf_count}, '
                             f'{len(self._levels)}), got {table.shape}')
        self._ancestors = table
        self._sources = (list(leaf_sources) if leaf_sources is not None else
                         [f'leaf {i}' for i in range(leaf_count)])
        self._check()

    # ------------------------------------------------------------------ #
    # construction
    # ------------------------------------------------------------------ #
    def _check(self) -> None:
        table = self._ancestors
        if not np.array_equal(table[:, 0], np.arange(len(table))):
            raise ValueError('column 0 of ancestors must be 0..num_leaves-1')
        for col, level in enumerate(self._levels):
            size = len(self._classes[level])
            bad = (table[:, col] < -1) | (table[:, col] >= size)
            if bad.any():
                leaf = int(np.flatnonzero(bad)[0])
                raise ValueError(
                    f'{self._describe_leaf(leaf)}: {level} label '
                    f'{table[leaf, col]} is outside the {size} {level} '
                    f'classes')
        for col in range(len(self._levels) - 1):
            self._parents(col)

    def _describe_leaf(self, leaf: int) -> str:
        name = self._classes[self._levels[0]][leaf]
        return f'{self._levels[0]} {name!r} ({self._sources[leaf]})'

    def _parents(self, col: int) -> np.ndarray:
        """Label at level ``col + 1`` of each class of level ``col``."""
        level, up = self._levels[col], self._levels[col + 1]
        parents = np.full(len(self._classes[level]), -1, dtype=np.int64)
        via = {}
        pairs = self._ancestors[:, col:col + 2]
        for leaf, (child, parent) in enumerate(pairs):
            if child < 0 or parent < 0:
                continue
            if parents[child] < 0:
                parents[child], via[child] = parent, leaf
            elif parents[child] != parent:
                names = self._classes[up]
                raise ValueError(
                    f'inconsistent hierarchy: {level} '
                    f'{self._classes[level][child]!r} has two {up} parents, '
                    f'{names[parents[child]]!r} via '
                    f'{self._describe_leaf(via[child])} and '
                    f'{names[parent]!r} via {self._describe_leaf(leaf)}')
        return parents

    @classmethod
    def from_dataset(cls, dataset) -> 'LabelHierarchy':
        """The hierarchy seen in a hierarchical dataset.

        The dataset provides ``metainfo['levels']`` (fine -> coarse),
        ``metainfo['level_classes']`` and ``level_labels`` (``level ->
        label``) in every data item. A leaf whose items disagree on an
        ancestor raises ``ValueError`` naming the leaf and the items.
        """
        if hasattr(dataset, 'full_init'):
            dataset.full_init()
        meta = dataset.metainfo
        if 'levels' not in meta or 'level_classes' not in meta:
            raise ValueError(
                f'{type(dataset).__name__} is not hierarchical: its metainfo '
                f"has no 'levels' and 'level_classes'")
        levels = tuple(meta['levels'])
        classes = meta['level_classes']
        table = np.full((len(classes[levels[0]]), len(levels)), -1,
                        dtype=np.int64)
        table[:, 0] = np.arange(len(table))
        sources: List[str] = ['not in the dataset'] * len(table)
        seen = np.zeros(len(table), dtype=bool)
        for idx in range(len(dataset)):
            info = dataset.get_data_info(idx)
            item = f"image {info.get('img_id', idx)!r}"
            labels = info.get('level_labels')
            if labels is None:
                raise ValueError(f'{item} has no level_labels')
            row = [int(labels[level]) for level in levels]
            leaf = row[0]
            if not 0 <= leaf < len(table):
                raise ValueError(f'{item}: {levels[0]} label {leaf} is '
                                 f'outside the {len(table)} classes')
            if not seen[leaf]:
                table[leaf], sources[leaf], seen[leaf] = row, item, True
                continue
            for col, level in enumerate(levels):
                if table[leaf, col] != row[col]:
                    raise ValueError(
                        f'inconsistent hierarchy: {levels[0]} '
                        f'{classes[levels[0]][leaf]!r} has {level} label '
                        f'{table[leaf, col]} in {sources[leaf]} but '
                        f'{row[col]} in {item}')
        return cls(levels, classes, table, sources)

    @classmethod
    def from_file(cls, path: str) -> 'LabelHierarchy':
        """Read a mapping file (CSV, comma separated, UTF-8).

        The header names the levels, fine -> coarse; every other line gives a
        leaf and its ancestors, e.g.::

            species,genus,family
            Corvus corax,Corvus,Corvidae
            Pica pica,Pica,Corvidae

        Leaf labels follow the line order; the labels of a coarser level
        follow the order in which its names first appear. Fields may be
        quoted (``"a, b"``). Errors name the file and line.
        """
        try:
            with open(path, encoding='utf-8', newline='') as f:
                rows = [(n, [field.strip() for field in row])
                        for n, row in enumerate(csv.reader(f), start=1)
                        if any(field.strip() for field in row)]
        except FileNotFoundError:
            raise FileNotFoundError(
                f'hierarchy file not found: {path}') from None
        if not rows:
            raise ValueError(f'{path}: empty hierarchy file')
        header_line, levels = rows[0]
        if '' in levels or len(set(levels)) != len(levels):
            raise ValueError(f'{path}:{header_line}: the header must name '
                             f'distinct levels, got {levels}')
        classes: Dict[str, Dict[str, int]] = {level: {} for level in levels}
        table, sources = [], []
        parent_of: Dict[Tuple[int, str], Tuple[str, int]] = {}
        for lineno, names in rows[1:]:
            where = f'{path}:{lineno}'
            if len(names) != len(levels):
                raise ValueError(f'{where}: expected {len(levels)} fields, '
                                 f'got {len(names)}: {names}')
            if '' in names:
                raise ValueError(f'{where}: empty class name in {names}')
            if names[0] in classes[levels[0]]:
                raise ValueError(f'{where}: {levels[0]} {names[0]!r} appears '
                                 f'twice')
            for col in range(1, len(levels) - 1):
                key = (col, names[col])
                seen = parent_of.setdefault(key, (names[col + 1], lineno))
                if seen[0] != names[col + 1]:
                    raise ValueError(
                        f'{where}: inconsistent hierarchy for {levels[0]} '
                        f'{names[0]!r}: {levels[col]} {names[col]!r} has '
                        f'{levels[col + 1]} {names[col + 1]!r} here but '
                        f'{seen[0]!r} on line {seen[1]}')
            table.append([
                classes[level].setdefault(name, len(classes[level]))
                for level, name in zip(levels, names)
            ])
            sources.append(where)
        if not table:
            raise ValueError(f'{path}: no leaves below the header')
        return cls(levels, {lv: list(names) for lv, names in classes.items()},
                   table, sources)

    # ------------------------------------------------------------------ #
    # queries
    # ------------------------------------------------------------------ #
    @property
    def levels(self) -> Tuple[str, ...]:
        """Level names, fine -> coarse."""
        return self._levels

    def classes(self, level: str) -> Tuple[str, ...]:
        """The class names of ``level`` (label ``i`` is name ``i``)."""
        return self._classes[self._level(level)]

    def num_classes(self, level: str) -> int:
        return len(self.classes(level))

    def _level(self, level: str) -> str:
        if level not in self._classes:
            raise ValueError(f'unknown level {level!r}; the levels are '
                             f'{self._levels}')
        return level

    def depth(self, level: str) -> int:
        """Index of ``level`` in :attr:`levels` (0 for the leaves)."""
        return self._levels.index(self._level(level))

    def _table(self, from_level: str, to_level: str) -> np.ndarray:
        """``table[a]``: the ``to_level`` label of ``from_level`` label ``a``
        (-1 where unknown)."""
        src, dst = self.depth(from_level), self.depth(to_level)
        if dst < src:
            raise ValueError(
                f'cannot map {from_level} labels to the finer level '
                f'{to_level}: a class has several children')
        table = np.full(len(self._classes[from_level]), -1, dtype=np.int64)
        known = self._ancestors[:, src] >= 0
        table[self._ancestors[known, src]] = self._ancestors[known, dst]
        return table

    def map_labels(self, labels, from_level: str,
                   to_level: str) -> np.ndarray:
        """The ``to_level`` labels (int64 array) of ``from_level`` labels;
        ``to_level`` must be ``from_level`` or coarser."""
        labels = np.asarray(labels, dtype=np.int64)
        table = self._table(from_level, to_level)
        bad = (labels < 0) | (labels >= len(table))
        if bad.any():
            raise ValueError(
                f'{from_level} label {labels[bad].flat[0]} is outside the '
                f'{len(table)} {from_level} classes')
        mapped = table[labels]
        if (mapped < 0).any():
            label = int(labels[mapped < 0].flat[0])
            raise ValueError(
                f'{from_level} {self._classes[from_level][label]!r} has no '
                f'known {to_level} ancestor')
        return mapped

    def parent(self, label: int, from_level: str, to_level: str) -> int:
        """The ``to_level`` ancestor of ``from_level`` label ``label``."""
        return int(self.map_labels([label], from_level, to_level)[0])

    def group_ids(self, from_level: str, to_level: str) -> List[int]:
        """The ``to_level`` label of every ``from_level`` class, in label
        order: the class groups of CAM-Agg, e.g. ``group_ids('species',
        'genus')`` for a CAM's ``test_cfg.score_map_groups``. A class
        without a known ``to_level`` ancestor raises ``ValueError``."""
        labels = np.arange(self.num_classes(from_level))
        return self.map_labels(labels, from_level, to_level).tolist()

    def coarsen_level(self, k: int) -> str:
        """The level reached by ``c_k`` from the leaves."""
        if int(k) != k or k < 0:
            raise ValueError(f'k must be a non-negative integer, got {k}')
        return self._levels[min(int(k), len(self._levels) - 1)]

    def coarsen(self, label: int, k: int) -> int:
        """The coarsening operator ``c_k`` on leaf ``label``: its ancestor
        ``k`` levels up (the coarsest level for larger ``k``), as a label of
        :meth:`coarsen_level`."""
        return self.parent(label, self._levels[0], self.coarsen_level(k))

    def leaves(self, label: int, level: str) -> np.ndarray:
        """The leaf labels under class ``label`` of ``level``."""
        col = self.depth(level)
        return np.flatnonzero(self._ancestors[:, col] == label)

    def __repr__(self) -> str:
        sizes = ', '.join(f'{level}={len(self._classes[level])}'
                          for level in self._levels)
        return f'{type(self).__name__}({sizes})'
