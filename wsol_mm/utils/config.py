"""Command-line overrides shared by the tools."""
from typing import Optional

from mmengine.config import Config

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
