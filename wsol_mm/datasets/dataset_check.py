"""Checks of a config's datasets on disk (``tools/misc/check_dataset.py``).

For each split (``train`` / ``val`` / ``test`` = the config's
``<split>_dataloader``) the dataset is built as training builds it, which
checks the annotation files (a bad line or a missing file is an error naming
the file and line). :func:`check_config` then prints the dataset's class,
``data_root``, its numbers of images and classes and how many images have
boxes / masks, reads the first ``max_images`` images (``None``: every one)
and their masks with the loaders of the split's own pipeline, and checks
every box against the image as decoded. Warnings logged meanwhile (e.g.
iNatLoc500's recorded sizes that differ from the files, empty OpenImages
masks) are summarised with counts.
"""
import copy
import itertools
import logging
import os.path as osp
import re
import sys
import warnings
from collections import Counter
from typing import Dict, List, Optional, Tuple

import numpy as np
from mmcv.transforms import LoadImageFromFile
from mmengine.config import Config
from mmengine.logging import MMLogger

from wsol_mm.registry import DATASETS
from wsol_mm.utils.progress import progress
from .transforms import LoadWSOLImageFromFile, LoadWSOLMask

SPLITS = ('train', 'val', 'test')
DEFAULT_MAX_IMAGES = 100
#: Problems and warning examples shown one by one; the rest are counted.
MAX_SHOWN = 10
_IGNORED_WARNINGS = (DeprecationWarning, PendingDeprecationWarning,
                     FutureWarning)
_logger_ids = itertools.count()


class _Records(logging.Handler):
    """Keeps the warnings logged through a logger."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _innermost(dataset):
    """The dataset a wrapper (``SubsampleDataset``, ...) reads from."""
    while hasattr(dataset, 'dataset'):
        dataset = dataset.dataset
    return dataset


def _config_data_root(dataset_cfg: dict) -> Optional[str]:
    """The ``data_root`` of a dataset config or of the one it wraps."""
    while isinstance(dataset_cfg, dict):
        if dataset_cfg.get('data_root'):
            return osp.expanduser(str(dataset_cfg['data_root']))
        dataset_cfg = dataset_cfg.get('dataset')
    return None


def describe_class(dataset) -> str:
    """``'CUB'``, or ``'SubsampleDataset(CUB)'`` for a wrapper."""
    names = [type(dataset).__name__]
    while hasattr(dataset, 'dataset'):
        dataset = dataset.dataset
        names.append(type(dataset).__name__)
    return '('.join(names) + ')' * (len(names) - 1)


def count_annotations(dataset) -> Dict[str, int]:
    """Images with boxes, their boxes, images with masks, their masks."""
    counts = Counter()
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        boxes = len(info.get('gt_bboxes', ()))
        masks = len(info.get('gt_mask_paths') or ())
        counts['box_images'] += boxes > 0
        counts['boxes'] += boxes
        counts['mask_images'] += masks > 0
        counts['masks'] += masks
        counts['ignore_masks'] += bool(info.get('ignore_path'))
    return counts


def pipeline_loaders(dataset) -> Tuple[LoadImageFromFile, LoadWSOLMask]:
    """The image and mask loaders of the dataset's pipeline (the loaders
    training and testing use: colour type, backend, EXIF rotation); the
    defaults where the pipeline has none."""
    transforms = getattr(getattr(dataset, 'pipeline', None), 'transforms', [])
    image = next((t for t in transforms
                  if isinstance(t, LoadImageFromFile)), None)
    mask = next((t for t in transforms if isinstance(t, LoadWSOLMask)), None)
    return image or LoadWSOLImageFromFile(), mask or LoadWSOLMask()


def box_outside(box, width: int, height: int) -> bool:
    x0, y0, x1, y1 = box
    return not (0 <= x0 <= x1 <= width and 0 <= y0 <= y1 <= height)


def _unreadable(what: str, img_path: str, error: Exception) -> str:
    """The problem line of an image or mask that does not decode."""
    if img_path in str(error):  # wsol_mm's loaders name the file
        return f'unreadable {what}: {error}'
    return f'unreadable {what} of {img_path}: {type(error).__name__}: {error}'


def read_items(dataset, split: str, num: int) -> Dict[str, object]:
    """Decode the first ``num`` items' images and masks with the pipeline's
    loaders; check their boxes against the decoded images."""
    load_image, load_mask = pipeline_loaders(dataset)
    found = dict(images=0, masks=0, boxes=0, no_box=0, problems=[])
    problems = found['problems']
    for index in progress(range(num), desc=f'{split}: reading', unit='images',
                          chunks=4):
        info = copy.deepcopy(dataset.get_data_info(index))
        img_path = info['img_path']
        try:
            results = load_image(info)
            if results is None:
                raise OSError('the loader returned nothing (ignore_empty)')
        except Exception as error:  # noqa: BLE001 (any decoding failure)
            problems.append(_unreadable('image', img_path, error))
            continue
        found['images'] += 1
        mask_paths = results.get('gt_mask_paths') or []
        if mask_paths:
            try:
                results = load_mask(results)
            except Exception as error:  # noqa: BLE001
                problems.append(_unreadable('mask', img_path, error))
                continue
            found['masks'] += len(mask_paths) + bool(
                results.get('ignore_path'))
            found['no_box'] += len(results['gt_bboxes']) == 0
        height, width = results['img'].shape[:2]
        for box in np.asarray(results.get('gt_bboxes', [])).reshape(-1, 4):
            found['boxes'] += 1
            if box_outside(box, width, height):
                problems.append(
                    f'box {box.tolist()} of {img_path} is outside the '
                    f'decoded image of width {width} and height {height}')
    found['empty_masks'] = load_mask.num_empty_masks
    return found


def warning_summary(messages: List[str]) -> List[str]:
    """One line per kind of warning (paths and numbers masked), with its
    count and first message, most frequent first."""
    kinds: Dict[str, List[str]] = {}
    for message in messages:
        kind = re.sub(r'\S*/\S*', '<path>', message)
        kind = re.sub(r'\d+(\.\d+)?', 'N', kind)
        kinds.setdefault(kind, []).append(message)
    lines = []
    for examples in sorted(kinds.values(), key=len, reverse=True):
        first = examples[0].splitlines()[0]
        lines.append(f'{len(examples)} x {first}')
    return lines


def describe(dataset) -> None:
    """Print the dataset's class, root and counts."""
    counts = count_annotations(dataset)
    classes = dataset.metainfo.get('classes') or ()
    shown = ', '.join(map(str, classes[:5])) + (', ...'
                                                if len(classes) > 5 else '')
    print(f'  dataset:    {describe_class(dataset)}')
    print(f'  data_root:  {getattr(_innermost(dataset), "data_root", None)}')
    print(f'  images:     {len(dataset)}')
    print(f'  classes:    {len(classes)} ({shown})')
    derived = (' (the mask loader derives them from the masks)'
               if counts['mask_images'] and not counts['boxes'] else '')
    print(f'  with boxes: {counts["box_images"]} images, '
          f'{counts["boxes"]} boxes{derived}')
    print(f'  with masks: {counts["mask_images"]} images, '
          f'{counts["masks"]} instance masks, {counts["ignore_masks"]} '
          'ignore masks', flush=True)


def report_reading(found: Optional[dict], num: int) -> None:
    if found is None:
        print('  read:       no image read (--max-images 0)')
        return
    unreadable = sum(p.startswith('unreadable') for p in found['problems'])
    outside = len(found['problems']) - unreadable
    print(f'  read:       {found["images"]} of the first {num} images, '
          f'{found["masks"]} masks; {unreadable} unreadable')
    print(f'  boxes:      {found["boxes"]} checked against the decoded '
          f'images, {outside} outside')
    if found['empty_masks']:
        print(f'  masks:      {found["empty_masks"]} instance masks without '
              f'foreground (background for PxAP, no box); '
              f'{found["no_box"]} images left without a box (not in the box '
              'metrics)')


def check_split(cfg: Config, split: str,
                max_images: Optional[int]) -> List[str]:
    """Build, describe and read one split; returns its problems."""
    dataset_cfg = cfg[f'{split}_dataloader']['dataset']
    try:
        dataset = DATASETS.build(copy.deepcopy(dataset_cfg))
    except Exception as error:  # noqa: BLE001 (the dataset's own message)
        problems = [f'{type(error).__name__}: {error}']
        root = _config_data_root(dataset_cfg)
        if root and not osp.isdir(root):
            problems.append(f'data_root {root} is not a folder: point the '
                            'config at the data with --cfg-options '
                            'data_root=PATH')
        return problems
    describe(dataset)
    num = len(dataset) if max_images is None else min(max_images,
                                                      len(dataset))
    found = read_items(dataset, split, num) if num else None
    report_reading(found, num)
    return found['problems'] if found else []


def _problems(count: int) -> str:
    return f'{count} problem' + ('s' if count != 1 else '')


def check_config(cfg: Config, splits, max_images: Optional[int]) -> int:
    """Check ``splits`` of ``cfg``; print the report; the exit status."""
    logger = MMLogger.get_instance(f'check_dataset_{next(_logger_ids)}',
                                   logger_name='check_dataset')
    records = _Records()
    logger.addHandler(records)
    problems: Dict[str, List[str]] = {}
    checked: Dict[str, str] = {}  # dataset config -> first split
    for split in splits:
        key = f'{split}_dataloader'
        loader = cfg.get(key)
        print(f'[{split}] {key}', flush=True)
        if not loader or 'dataset' not in loader:
            print('  not in the config: skipped')
            continue
        fingerprint = repr(loader['dataset'])
        if fingerprint in checked:
            print(f'  the same dataset as {checked[fingerprint]}: checked '
                  'there')
            continue
        checked[fingerprint] = split
        first = len(records.messages)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            found = check_split(cfg, split, max_images)
        records.messages += [
            str(w.message) for w in caught
            if not issubclass(w.category, _IGNORED_WARNINGS)
        ]
        split_warnings = warning_summary(records.messages[first:])
        print(f'  warnings:   {len(records.messages) - first}')
        for line in split_warnings[:MAX_SHOWN]:
            print(f'    {line}')
        if found:
            problems[split] = found
            print(f'  WRONG: {_problems(len(found))}')
            for problem in found[:MAX_SHOWN]:
                print(f'    {problem}')
            if len(found) > MAX_SHOWN:
                print(f'    ... {len(found) - MAX_SHOWN} more')
        else:
            print('  fine')
        sys.stdout.flush()
    logger.removeHandler(records)
    if problems:
        wrong = ', '.join(f'{split} ({_problems(len(found))})'
                          for split, found in problems.items())
        print(f'check_dataset: {cfg.filename}: wrong data in {wrong}; the '
              f'first: {next(iter(problems.values()))[0]}')
        return 1
    print(f'check_dataset: {cfg.filename}: fine (checked: '
          f'{", ".join(checked.values()) or "no split"})')
    return 0
