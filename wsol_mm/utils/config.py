"""Command-line overrides shared by the tools."""
from typing import List, Optional, Tuple

from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.registry import init_default_scope

from wsol_mm.registry import DATASETS

DATALOADER_KEYS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


# Top-level --cfg-options keys that reach every dataset config holding them.
DATASET_KEYS = ('data_root', 'metadata_root', 'level')
SUBSAMPLE_KEYS = ('subsample_per_class', 'subsample_seed')


def _subsample_train_set(cfg: Config, subsample_per_class: int,
                         subsample_seed: int = 0) -> None:
    """Wrap the training dataset in ``SubsampleDataset``."""
    loader = cfg.get('train_dataloader')
    if not loader:
        raise KeyError('subsample_per_class needs a train_dataloader')
    loader['dataset'] = dict(
        type='SubsampleDataset', num_per_class=subsample_per_class,
        seed=subsample_seed, dataset=loader['dataset'])


def _set_dataset_key(dataset_cfg, key: str, value) -> None:
    """Set ``key`` in a dataset config that has it, and in the datasets it
    wraps."""
    if isinstance(dataset_cfg, (list, tuple)):
        for item in dataset_cfg:
            _set_dataset_key(item, key, value)
        return
    if not isinstance(dataset_cfg, dict):
        return
    if key in dataset_cfg:
        dataset_cfg[key] = value
    for child in ('dataset', 'datasets'):
        _set_dataset_key(dataset_cfg.get(child), key, value)


def _has_key(cfg: dict, dotted_key: str) -> bool:
    """Whether the nested dicts (and lists, by index) of ``cfg`` hold the
    dotted key ``a.b.0.c``."""
    node = cfg
    for part in dotted_key.split('.'):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, (list, tuple)) and part.isdigit() and \
                int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return True


def _stage_cfgs(cfg: Config) -> dict:
    """The ``cfg`` dicts of the stages of a multi-stage config, by name."""
    stages = cfg.get('stages') or {}
    return {name: stage['cfg'] for name, stage in stages.items()
            if isinstance(stage, dict) and isinstance(stage.get('cfg'), dict)}


def apply_common_overrides(cfg: Config, cfg_options: Optional[dict]) -> None:
    """Merge ``--cfg-options`` into ``cfg``.

    A top-level ``data_root=PATH`` or ``level=NAME`` (the label level of a
    hierarchical dataset) also reaches every dataloader's dataset that has
    that key: config variables were substituted when the file was read, so
    overriding the variable alone would change nothing. A top-level
    ``subsample_per_class=N`` (with ``subsample_seed=S``, default 0) keeps N
    training images per class (the data-efficiency study).

    In a multi-stage config, an option given for the shared config (any key
    not under ``stages.``) also replaces that key where a stage's ``cfg``
    sets it itself, so ``train_cfg.max_epochs=1`` shortens every stage, also
    one with its own schedule; ``stages.NAME.cfg.KEY=...`` changes one
    stage only.
    """
    if not cfg_options:
        return
    cfg_options = dict(cfg_options)
    subsample = {key: cfg_options.pop(key) for key in SUBSAMPLE_KEYS
                 if key in cfg_options}
    stage_cfgs = _stage_cfgs(cfg)
    in_stages = {
        f'stages.{name}.cfg.{key}': value
        for key, value in cfg_options.items() if not key.startswith('stages.')
        for name, stage_cfg in stage_cfgs.items() if _has_key(stage_cfg, key)
        and f'stages.{name}.cfg.{key}' not in cfg_options
    }
    cfg.merge_from_dict(cfg_options)
    cfg.merge_from_dict(in_stages)
    if subsample:
        _subsample_train_set(cfg, **subsample)
    for key in DATASET_KEYS:
        if key not in cfg_options:
            continue
        loaders = [cfg.get(name) for name in DATALOADER_KEYS]
        loaders += [stage_cfg.get(name) for stage_cfg in
                    _stage_cfgs(cfg).values() for name in DATALOADER_KEYS]
        for loader in loaders:
            if isinstance(loader, dict):
                _set_dataset_key(loader.get('dataset'), key, cfg_options[key])


def _unset_num_classes(node, path: str) -> List[Tuple[str, dict]]:
    """``(dotted path, dict)`` of every dict under ``node`` that has
    ``num_classes = None``."""
    found = []
    if isinstance(node, dict):
        if 'num_classes' in node and node['num_classes'] is None:
            found.append((path, node))
        for key, value in node.items():
            found += _unset_num_classes(value, f'{path}.{key}')
    elif isinstance(node, (list, tuple)):
        for index, value in enumerate(node):
            found += _unset_num_classes(value, f'{path}[{index}]')
    return found


def fill_num_classes(model_cfg: dict, num_classes: int) -> List[str]:
    """Set every ``num_classes = None`` under ``model_cfg`` to
    ``num_classes``; return the dotted paths of what was set."""
    parts = _unset_num_classes(model_cfg, 'model')
    for _, part in parts:
        part['num_classes'] = num_classes
    return [path for path, _ in parts]


def resolve_num_classes(cfg: Config) -> None:
    """``num_classes = None`` anywhere in the model config (``model.head``,
    ``model.aux_head``, a batch augmentation such as CutMix, ...) means "as
    many as the dataset has".

    The training dataset (else the test one) is built once to count its
    ``classes``, so that relabelled or subsampled datasets (e.g. a coarser
    level of a label hierarchy) need no second setting.
    """
    parts = _unset_num_classes(cfg.get('model', {}), 'model')
    if not parts:
        return
    for key in ('train_dataloader', 'test_dataloader'):
        loader = cfg.get(key)
        if loader:
            init_default_scope(cfg.get('default_scope', 'wsol_mm'))
            dataset = DATASETS.build(loader['dataset'])
            num_classes = len(dataset.metainfo['classes'])
            names = fill_num_classes(cfg.model, num_classes)
            settings = ', '.join(f'{name}.num_classes = {num_classes}'
                                 for name in names)
            print_log(f'{settings}, the classes of the '
                      f'{key.split("_")[0]} dataset',
                      logger='current')
            return
    raise ValueError(f'{parts[0][0]}.num_classes is None but the config '
                     'has no train or test dataloader to count classes from')
