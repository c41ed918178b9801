"""Dataset wrappers for label granularity: relabel at a coarser level, keep
N images per class (fixed-granularity training and the data-efficiency study
of Cole et al., ECCV 2022).

Like MMEngine's ``RepeatDataset``, a wrapper takes a dataset or its config
(``dataset``), builds it, and loads it at construction unless
``lazy_init=True``. Wrappers nest.
"""
import copy
import logging
import os.path as osp
from typing import List, Optional, Union

import numpy as np
from mmengine.dataset.base_dataset import force_full_init
from mmengine.logging import print_log

from wsol_mm.registry import DATASETS
from .label_hierarchy import LabelHierarchy


def build_wrapped(dataset):
    """A dataset from a config dict, or the dataset itself."""
    if isinstance(dataset, dict):
        return DATASETS.build(dataset)
    if not hasattr(dataset, 'get_data_info'):
        raise TypeError(f'dataset must be a config dict or a dataset, got '
                        f'{type(dataset)}')
    return dataset


class _Wrapper:
    """What both wrappers share: the wrapped dataset and lazy loading."""

    def __init__(self, dataset, lazy_init: bool):
        self.dataset = build_wrapped(dataset)
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    def full_init(self) -> None:
        if self._fully_initialized:
            return
        self.dataset.full_init()
        self._init()
        self._fully_initialized = True

    def _init(self) -> None:
        raise NotImplementedError

    @property
    def pipeline(self):
        """The wrapped dataset's pipeline."""
        return self.dataset.pipeline

    @property
    @force_full_init
    def metainfo(self) -> dict:
        return copy.deepcopy(self._metainfo)


@DATASETS.register_module()
class RelabelDataset(_Wrapper):
    """A dataset labelled at another level of its label hierarchy.

    ``gt_label`` becomes the label at ``level`` and ``metainfo['classes']``
    the class names of ``level`` (so ``len(metainfo['classes'])`` is the
    number of classes to train); ``metainfo['level']`` is ``level``.

    The labels come from the items' ``level_labels`` (hierarchical datasets
    such as ``INatLoc500``) or, when ``hierarchy`` is given, from a
    :class:`LabelHierarchy` whose leaf names are the dataset's class names
    (any dataset: CUB, ...); items then also get ``level_labels`` and the
    metainfo ``levels`` and ``level_classes`` of that hierarchy.

    Args:
        dataset (dict | dataset): The dataset or its config.
        level (str): The level of the new labels.
        hierarchy (str | LabelHierarchy, optional): A mapping file for
            :meth:`LabelHierarchy.from_file`, or a hierarchy.
        lazy_init (bool): Load only on first use. Defaults to False.
    """

    def __init__(self,
                 dataset,
                 level: str,
                 hierarchy: Union[str, LabelHierarchy, None] = None,
                 lazy_init: bool = False):
        self.level = level
        self.hierarchy = hierarchy
        self._level_table: Optional[np.ndarray] = None
        super().__init__(dataset, lazy_init)

    def _init(self) -> None:
        meta = self.dataset.metainfo
        if self.hierarchy is None:
            self._init_from_items(meta)
        else:
            self._init_from_hierarchy(meta)
        self._metainfo['level'] = self.level

    def _init_from_items(self, meta: dict) -> None:
        level_classes = meta.get('level_classes')
        if not level_classes:
            raise ValueError(
                f'{type(self.dataset).__name__} has no level_classes in its '
                f'metainfo: give RelabelDataset a hierarchy (mapping file)')
        if self.level not in level_classes:
            raise ValueError(f'unknown level {self.level!r}; the levels are '
                             f'{tuple(level_classes)}')
        self._labels = np.array([
            self.dataset.get_data_info(i)['level_labels'][self.level]
            for i in range(len(self.dataset))
        ], dtype=np.int64)
        self._metainfo = dict(
            meta, classes=tuple(level_classes[self.level]))

    def _init_from_hierarchy(self, meta: dict) -> None:
        hierarchy = self.hierarchy
        if isinstance(hierarchy, str):
            hierarchy = LabelHierarchy.from_file(
                osp.abspath(osp.expanduser(hierarchy)))
        leaf_level = hierarchy.levels[0]
        leaf_of = {name: i for i, name in
                   enumerate(hierarchy.classes(leaf_level))}
        names = meta.get('classes') or ()
        missing = [name for name in names if name not in leaf_of]
        if missing or not names:
            raise ValueError(
                f'the classes of {type(self.dataset).__name__} must be '
                f'{leaf_level} names of the hierarchy; not found: '
                f'{missing[:5] or "(no classes)"}')
        to_leaf = np.array([leaf_of[name] for name in names], dtype=np.int64)
        gt = np.array([
            int(self.dataset.get_data_info(i)['gt_label'])
            for i in range(len(self.dataset))
        ], dtype=np.int64)
        leaves = to_leaf[gt]
        self._level_table = np.stack([
            hierarchy.map_labels(leaves, leaf_level, level)
            for level in hierarchy.levels
        ], axis=1).reshape(len(gt), len(hierarchy.levels))
        self._levels = hierarchy.levels
        self._labels = self._level_table[:, hierarchy.depth(self.level)]
        self._metainfo = dict(
            meta,
            classes=hierarchy.classes(self.level),
            levels=hierarchy.levels,
            level_classes={lv: hierarchy.classes(lv)
                           for lv in hierarchy.levels})

    @force_full_init
    def get_data_info(self, idx: int) -> dict:
        info = self.dataset.get_data_info(idx)
        info['gt_label'] = int(self._labels[idx])
        if self._level_table is not None:
            info['level_labels'] = dict(
                zip(self._levels, map(int, self._level_table[idx])))
        return info

    @force_full_init
    def get_cat_ids(self, idx: int) -> List[int]:
        return [int(self._labels[idx])]

    def __getitem__(self, idx: int) -> dict:
        data = self.pipeline(self.get_data_info(idx))
        if data is None:
            raise ValueError(f'the pipeline returned None for item {idx}')
        return data

    @force_full_init
    def __len__(self) -> int:
        return len(self._labels)


@DATASETS.register_module()
class SubsampleDataset(_Wrapper):
    """``num_per_class`` images drawn per class, uniformly at random.

    A class with fewer images keeps them all. The draw depends only on
    ``seed`` and the labels; the kept images stay in the dataset's order.
    The number kept is logged.

    Args:
        dataset (dict | dataset): The dataset or its config.
        num_per_class (int): Images kept per class (50, 100, 200 in the
            paper).
        seed (int): Seed of the draw. Defaults to 0.
        level (str, optional): Count classes at this level of the items'
            ``level_labels``; None (default) uses ``gt_label``.
        lazy_init (bool): Load only on first use. Defaults to False.
    """

    def __init__(self,
                 dataset,
                 num_per_class: int,
                 seed: int = 0,
                 level: Optional[str] = None,
                 lazy_init: bool = False):
        if int(num_per_class) != num_per_class or num_per_class < 1:
            raise ValueError(f'num_per_class must be a positive integer, got '
                             f'{num_per_class}')
        self.num_per_class = int(num_per_class)
        self.seed = seed
        self.level = level
        super().__init__(dataset, lazy_init)

    def _label(self, idx: int) -> int:
        info = self.dataset.get_data_info(idx)
        if self.level is None:
            return int(info['gt_label'])
        if self.level not in info.get('level_labels', {}):
            raise ValueError(f'item {idx} has no {self.level!r} label in its '
                             f'level_labels')
        return int(info['level_labels'][self.level])

    def _init(self) -> None:
        labels = np.array([self._label(i) for i in range(len(self.dataset))],
                          dtype=np.int64)
        rng = np.random.default_rng(self.seed)
        kept, short = [], 0
        for label in np.unique(labels):
            members = np.flatnonzero(labels == label)
            if len(members) > self.num_per_class:
                members = rng.choice(
                    members, self.num_per_class, replace=False)
            else:
                short += len(members) < self.num_per_class
            kept.append(members)
        self._indices = np.sort(np.concatenate(kept)) if kept else np.zeros(
            0, dtype=np.int64)
        self._metainfo = self.dataset.metainfo
        classes = len(np.unique(labels))
        print_log(
            f'SubsampleDataset: kept {len(self._indices)} of {len(labels)} '
            f'images, at most {self.num_per_class} per '
            f'{self.level or "class"} (seed {self.seed}); {short} of '
            f'{classes} classes have fewer',
            logger='current',
            level=logging.INFO)

    @property
    @force_full_init
    def indices(self) -> np.ndarray:
        """Indices of the kept items in the wrapped dataset."""
        return self._indices.copy()

    @force_full_init
    def get_data_info(self, idx: int) -> dict:
        return self.dataset.get_data_info(int(self._indices[idx]))

    @force_full_init
    def get_cat_ids(self, idx: int) -> List[int]:
        return [int(self.get_data_info(idx)['gt_label'])]

    def __getitem__(self, idx: int) -> dict:
        self.full_init()
        return self.dataset[int(self._indices[idx])]

    @force_full_init
    def __len__(self) -> int:
        return len(self._indices)
