"""Helpers shared by the dataset tests: write and corrupt annotation files,
build a dataset from its _base_ config, and the test pipeline of the
wsolevaluation protocol."""
import copy
import os
import os.path as osp

import cv2
import numpy as np
from mmengine.config import Config
from mmengine.registry import init_default_scope

from wsol_mm.registry import DATASETS


def write_lines(path, lines):
    """Write ``lines`` to ``path``, one per line, creating its folder."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


def replace_line(path, lineno, text):
    """Replace line ``lineno`` (1-based) of ``path`` with ``text``."""
    with open(path) as f:
        lines = f.read().splitlines()
    lines[lineno - 1] = text
    write_lines(path, lines)


def protocol_test_pipeline():
    """A fresh list of the protocol's test pipeline: load, warp to 224 x 224,
    pack."""
    return [
        dict(type='LoadImageFromFile'),
        dict(type='Resize', size=(224, 224)),
        dict(type='PackWSOLInputs')
    ]


def write_wsol_lists(data_root, meta, images, split_ids):
    """Write random images and, per split, ``image_ids.txt`` and
    ``class_labels.txt`` of the wsolevaluation layout.

    ``images`` maps a path to ``(label, (width, height))``; ``split_ids``
    maps a split to its image paths.
    """
    rng = np.random.default_rng(0)
    for path, (_, (w, h)) in images.items():
        os.makedirs(osp.join(data_root, osp.dirname(path)), exist_ok=True)
        cv2.imwrite(osp.join(data_root, path),
                    rng.integers(0, 256, (h, w, 3), dtype=np.uint8))
    for split, ids in split_ids.items():
        write_lines(osp.join(meta, split, 'image_ids.txt'), ids)
        write_lines(osp.join(meta, split, 'class_labels.txt'),
                    [f'{p},{images[p][0]}' for p in ids])


def dataset_from_config(config, split, dataset_type, **overrides):
    """The ``split`` dataset of a _base_ dataset config, checked to be of
    ``dataset_type``, with ``overrides`` (e.g. data_root) applied."""
    cfg = Config.fromfile(config)
    init_default_scope('wsol_mm')
    loader = dict(train=cfg.train_dataloader, val=cfg.val_dataloader,
                  test=cfg.test_dataloader)[split]
    dataset_cfg = copy.deepcopy(loader.dataset)
    assert dataset_cfg.type == dataset_type and dataset_cfg.split == split
    dataset_cfg.update(**overrides)
    return DATASETS.build(dataset_cfg)
