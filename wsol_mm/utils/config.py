"""Command-line overrides shared by the tools."""
from typing import Optional

from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.registry import init_default_scope

from wsol_mm.registry import DATASETS

DATALOADER_KEYS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def _set_data_root(dataset_cfg, data_root: str) -> None:
    """Set ``data_root`` in a dataset config and in the datasets it wraps."""
    if isinstance(dataset_cfg, (list, tuple)):
        for item in dataset_cfg:
            _set_data_root(item, data_root)
        return
    if not isinstance(dataset_cfg, dict):
        return
    if 'data_root' in dataset_cfg:
        dataset_cfg['data_root'] = data_root
    for key in ('dataset', 'datasets'):
        _set_data_root(dataset_cfg.get(key), data_root)


def apply_common_overrides(cfg: Config, cfg_options: Optional[dict]) -> None:
    """Merge ``--cfg-options`` into ``cfg``.

    A top-level ``data_root=PATH`` also reaches every dataloader's dataset:
    the config variable ``data_root`` was substituted when the file was read,
    so overriding the variable alone would change nothing.
    """
    if not cfg_options:
        return
    cfg.merge_from_dict(cfg_options)
    if 'data_root' in cfg_options:
        for key in DATALOADER_KEYS:
            loader = cfg.get(key)
            if loader:
                _set_data_root(loader.get('dataset'), cfg_options['data_root'])


def resolve_num_classes(cfg: Config) -> None:
    """``model.head.num_classes = None`` means "as many as the dataset has".

    The training dataset (else the test one) is built once to count its
    ``classes``, so that relabelled or subsampled datasets (e.g. a coarser
    level of a label hierarchy) need no second setting.
    """
    head = cfg.get('model', {}).get('head')
    if not head or 'num_classes' not in head or \
            head['num_classes'] is not None:
        return
    for key in ('train_dataloader', 'test_dataloader'):
        loader = cfg.get(key)
        if loader:
            init_default_scope(cfg.get('default_scope', 'wsol_mm'))
            dataset = DATASETS.build(loader['dataset'])
            head['num_classes'] = len(dataset.metainfo['classes'])
            print_log(f'model.head.num_classes = {head["num_classes"]}, the '
                      f'classes of the {key.split("_")[0]} dataset',
                      logger='current')
            return
    raise ValueError('model.head.num_classes is None but the config has no '
                     'train or test dataloader to count classes from')
