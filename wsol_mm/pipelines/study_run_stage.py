"""One run of a study: a config file trained with options, then scored on
the model-selection split (val) and on test."""
import copy
import os
import os.path as osp
from functools import lru_cache
from typing import Optional

from mmengine.config import Config

from wsol_mm.registry import STAGES
from wsol_mm.engine.runner_builder import run_runner
from wsol_mm.utils.config import apply_common_overrides
from .base_stage import PipelineContext, StageResult
from .train_stage import TrainStage, evaluator_list, stage_runner_cfg

# Runner parts a test-only runner must not build.
TRAINING_PARTS = ('train_dataloader', 'train_cfg', 'optim_wrapper',
                  'param_scheduler', 'val_dataloader', 'val_cfg',
                  'val_evaluator')
MAP_STATISTICS_FILE = 'map_statistics.json'
VAL_FOLDER = 'val_evaluation'


@lru_cache(maxsize=64)
def _read_config(path: str, mtime: float) -> Config:
    """The config file as read once (a study's runs share a few files)."""
    return Config.fromfile(path)


def relabelled(dataset: dict, level: str, hierarchy: str) -> dict:
    """``dataset`` wrapped in ``RelabelDataset`` at ``level`` of the
    hierarchy file (datasets without levels of their own, e.g. CUB)."""
    return dict(type='RelabelDataset', dataset=dataset, level=level,
                hierarchy=hierarchy)


@STAGES.register_module()
class StudyRunStage(TrainStage):
    """Train the model of a config file with ``--cfg-options``-style
    ``options`` in the stage folder, test it, and score the final model on
    the validation split too (``val/`` metrics: the model-selection split,
    e.g. wsolevaluation's train-fullsup).

    The config is the whole runner config (the pipeline's shared config is
    not used), so a study's runs can be different methods; ``options`` are
    applied as ``tools/train.py --cfg-options`` would (``level=``,
    ``subsample_per_class=``, ``optim_wrapper.optimizer.lr=``,
    ``randomness.seed=`` ...). A config without ``train_dataloader`` (the
    Center baseline) is only tested.

    Args:
        config (str): The run's config file.
        options (dict, optional): Dotted keys -> values.
        hierarchy (str, optional): A label-hierarchy file: every dataloader's
            dataset is relabelled at ``options['level']`` by
            ``RelabelDataset`` (datasets without levels, e.g. CUB with a
            class-to-genus file). Without it ``level`` reaches the datasets
            that have that argument (``INatLoc500``, ``FGVCAircraft``).
        evaluate_val (bool): Score the final model on ``val_dataloader`` with
            ``val_evaluator``. Defaults to True.
        map_statistics (bool): Add ``MapStatistics`` (paper 000, Fig. 5) to
            the validation scoring; its per-image values are saved as
            ``map_statistics.json``. Defaults to False.
        test (bool): Test after training. Defaults to True.
    """

    def __init__(self, name: str, context: PipelineContext, config: str,
                 options: Optional[dict] = None,
                 hierarchy: Optional[str] = None,
                 evaluate_val: bool = True, map_statistics: bool = False,
                 test: bool = True):
        if not osp.isfile(config):
            raise FileNotFoundError(f'stage "{name}": config {config} does '
                                    'not exist')
        self.config = osp.abspath(config)
        self.options = copy.deepcopy(dict(options or {}))
        self.hierarchy = hierarchy
        if hierarchy is not None and 'level' not in self.options:
            raise KeyError(f'stage "{name}": hierarchy= needs a level in '
                           'options')
        self.evaluate_val = evaluate_val
        self.map_statistics = map_statistics
        super().__init__(name, context, test=test,
                         train=self._has_training())

    def _has_training(self) -> bool:
        return bool(self.runner_cfg().get('train_dataloader'))

    def runner_cfg(self, resolve: bool = True) -> Config:
        cfg = copy.deepcopy(
            _read_config(self.config, os.stat(self.config).st_mtime))
        # One process per run (a study shares its runs among processes).
        cfg.launcher = 'none'
        options = dict(self.options)
        if self.hierarchy is not None:
            level = options.pop('level')
            for key in ('train_dataloader', 'val_dataloader',
                        'test_dataloader'):
                if cfg.get(key):
                    cfg[key]['dataset'] = relabelled(
                        cfg[key]['dataset'], level, self.hierarchy)
        apply_common_overrides(cfg, options)
        return cfg

    def settings(self) -> dict:
        return dict(super().settings(), config=self.config,
                    evaluate_val=self.evaluate_val,
                    map_statistics=self.map_statistics)

    @property
    def map_statistics_file(self) -> str:
        return osp.join(self.work_dir, VAL_FOLDER, MAP_STATISTICS_FILE)

    def run(self, resume: bool) -> StageResult:
        result = super().run(resume)
        if not self.evaluate_val:
            return result
        val = self._evaluate_val(result.artifact)
        result.metrics = {**result.metrics,
                          **{f'val/{k}': v for k, v in val.items()}}
        if self.map_statistics:
            result.extra['map_statistics'] = self.map_statistics_file
        return result

    def _evaluate_val(self, checkpoint: str) -> dict:
        """The metrics of ``checkpoint`` on the validation split."""
        cfg = stage_runner_cfg(self.runner_cfg(),
                               osp.join(self.work_dir, VAL_FOLDER),
                               f'{self.name}_val')
        if not cfg.get('val_dataloader') or not cfg.get('val_evaluator'):
            raise KeyError(f'stage "{self.name}": evaluate_val=True needs '
                           f'val_dataloader and val_evaluator in '
                           f'{self.config}')
        cfg.test_dataloader = cfg.val_dataloader
        metrics = evaluator_list(copy.deepcopy(cfg.val_evaluator))
        if self.map_statistics:
            interval = [m.get('cam_curve_interval') for m in metrics
                        if m.get('type') == 'WSOLMetric']
            statistics = dict(type='MapStatistics',
                              out_file=self.map_statistics_file)
            if interval and interval[0] is not None:
                statistics['cam_curve_interval'] = interval[0]
            metrics.append(statistics)
        cfg.test_evaluator = metrics
        for key in TRAINING_PARTS:
            cfg[key] = None
        cfg.load_from, cfg.resume = checkpoint, False
        return run_runner(cfg, 'test')

    def artifact_problem(self, manifest) -> Optional[str]:
        statistics = manifest.extra.get('map_statistics')
        if statistics is not None and not osp.exists(statistics):
            return f'{statistics} is missing'
        return super().artifact_problem(manifest)

