"""A stage that trains a model with MMEngine's Runner and tests it."""
import copy
import gc
import os
import os.path as osp
import time
from typing import List, Optional

import torch.nn as nn
from mmengine.config import Config
from mmengine.device import get_device
from mmengine.dist import barrier, is_main_process
from mmengine.model import is_model_wrapper
from mmengine.registry import init_default_scope
from mmengine.runner import (find_latest_checkpoint, get_state_dict,
                             load_checkpoint, save_checkpoint,
                             weights_to_cpu)

from wsol_mm.registry import MODELS, STAGES
from wsol_mm.engine.runner_builder import build_runner
from wsol_mm.utils.config import resolve_num_classes
from wsol_mm.utils.dataloader_workers import release_dataloader_workers
from .base_stage import BaseStage, PipelineContext, StageResult
from .stage_manifest import StageManifest
from .stage_references import find_references

# Runner settings that determine what a training stage produces.
RESULT_KEYS = ('model', 'train_dataloader', 'test_dataloader',
               'test_evaluator', 'optim_wrapper', 'param_scheduler',
               'train_cfg', 'randomness', 'load_from')


def evaluator_list(evaluator) -> list:
    """A test/val evaluator config as a list of metric configs."""
    if evaluator is None:
        return []
    if isinstance(evaluator, dict) and 'metrics' in evaluator:
        evaluator = evaluator['metrics']
    return list(evaluator) if isinstance(evaluator, (list, tuple)) else [
        evaluator
    ]


def stage_runner_cfg(cfg: Config, work_dir: str, stage_name: str) -> Config:
    """``cfg`` set up to run in ``work_dir`` with a logger of its own."""
    cfg.work_dir = work_dir
    # MMEngine keys loggers, message hubs and visualizers by experiment name:
    # two runners of one process must not share them.
    cfg.experiment_name = f'{stage_name}_{time.strftime("%Y%m%d_%H%M%S")}_' \
        f'{time.perf_counter_ns()}'
    resolve_num_classes(cfg)
    return cfg


@STAGES.register_module()
class TrainStage(BaseStage):
    """Train with MMEngine's Runner in the stage folder, then test.

    The stage's runner config is the pipeline's shared config (every key but
    ``stages``) merged with ``cfg`` (``_delete_=True`` replaces a part, as in
    ``_base_`` inheritance; a ``model`` of another ``type`` than the shared
    one replaces it), so ``--cfg-options data_root=...`` or
    ``train_cfg.max_epochs=...`` reach every training stage that does not set
    them itself. ``'stage:<name>'`` strings in it are replaced by that stage's
    artifact (e.g. ``LoadPseudoMask(mask_dir='stage:pseudo_masks')``).

    The artifact is the last checkpoint. When ``test`` is on, the model is
    tested after training and, if it predicts class scores, they are saved
    (``class_scores.pkl``) for stages that need a separate classifier; any
    MMPretrain classifier config can be such a stage.

    With ``train=False`` the model is not trained: it is initialised by its
    ``init_cfg`` (e.g. ImageNet weights of a classifier that is only tested,
    as SPOL's EfficientNet-B7 on ImageNet), saved as the stage's checkpoint
    (``initial_weights.pth``) and tested.

    With ``tta=True`` the test runs with test-time augmentation, as
    MMPretrain's ``tools/test.py --tta``: the test dataset's pipeline becomes
    the config's ``tta_pipeline`` and, before the test, MMEngine's
    ``PrepareTTAHook`` wraps the model (the weights just trained, i.e. the
    stage's checkpoint) in the config's ``tta_model``. Training and
    validation keep their pipelines. E.g. SLT-Net's ten-crop classification
    (``configs/_base_/tta/ten_crop.py``).

    Args:
        cfg (dict, optional): Overrides of the shared runner config.
        test (bool): Test after training. Defaults to True.
        train (bool): Train the model. Defaults to True.
        tta (bool): Test with ``tta_model`` and ``tta_pipeline``. Defaults
            to False.
    """

    INITIAL_WEIGHTS = 'initial_weights.pth'

    def __init__(self, name: str, context: PipelineContext,
                 cfg: Optional[dict] = None, test: bool = True,
                 train: bool = True, tta: bool = False):
        super().__init__(name, context)
        self.overrides = copy.deepcopy(dict(cfg or {}))
        self.test = test
        self.train = train
        if not isinstance(tta, bool):
            raise TypeError(f'stage "{name}": tta must be True or False, '
                            f'got {tta!r}')
        self.tta = tta
        if tta:
            self._check_tta()

    def _check_tta(self) -> None:
        if not self.test:
            raise ValueError(f'stage "{self.name}": tta=True needs '
                             'test=True (it only changes the test)')
        cfg = self.runner_cfg(resolve=False)
        for key in ('tta_model', 'tta_pipeline'):
            if not cfg.get(key):
                raise KeyError(f'stage "{self.name}": tta=True needs '
                               f'"{key}" in the config or the stage\'s cfg '
                               '(e.g. _base_/tta/ten_crop.py)')

    def runner_cfg(self, resolve: bool = True) -> Config:
        """The stage's runner config, with the references of its ``cfg``
        resolved (the shared part is not searched for references: config
        variables such as a pipeline meant for one stage live there)."""
        overrides = copy.deepcopy(self.overrides)
        if resolve:
            overrides = self.resolve(overrides)
        shared = self.context.shared_cfg
        model = overrides.get('model')
        shared_model = shared.get('model')
        if isinstance(model, dict) and isinstance(shared_model, dict) and \
                model.get('type', shared_model.get('type')) != \
                shared_model.get('type'):
            # The keys of another model class cannot be merged (a child
            # config's `_delete_` on a stage model is consumed when the
            # config files are merged, before the stage sees it).
            model['_delete_'] = True
        merged = Config._merge_a_into_b(overrides, shared.to_dict())
        return Config(merged, filename=shared.filename)

    def inputs(self) -> List[str]:
        return sorted(find_references(self.overrides))

    def settings(self) -> dict:
        cfg = self.runner_cfg(resolve=False)
        settings = {key: cfg.get(key) for key in RESULT_KEYS}
        settings['test'] = self.test
        settings['train'] = self.train
        settings['tta'] = dict(
            model=cfg.get('tta_model'),
            pipeline=cfg.get('tta_pipeline')) if self.tta else False
        return settings

    @property
    def class_scores_file(self) -> str:
        return osp.join(self.work_dir, 'class_scores.pkl')

    def run(self, resume: bool) -> StageResult:
        cfg = stage_runner_cfg(self.runner_cfg(), self.work_dir, self.name)
        # Without training there is nothing to resume: the stage starts over.
        cfg.resume = resume and self.train
        test = self.test and bool(cfg.get('test_dataloader'))
        if test:
            if osp.exists(self.class_scores_file):
                os.remove(self.class_scores_file)
            cfg.test_evaluator = [
                *evaluator_list(cfg.get('test_evaluator')),
                dict(type='DumpClassScores', _scope_='wsol_mm',
                     out_file=self.class_scores_file)
            ]
            if self.tta:
                self._apply_tta(cfg)
        runner = build_runner(cfg)
        if self.train:
            runner.train()
            barrier()  # the first process has written the last checkpoint
            checkpoint = find_latest_checkpoint(self.work_dir)
            if checkpoint is None:
                raise RuntimeError(f'stage "{self.name}" trained but left no '
                                   f'checkpoint in {self.work_dir}: keep the '
                                   'CheckpointHook (default_hooks.checkpoint)')
            if test:
                # Every process tests the artifact: after the last step the
                # BN statistics of the others differ from the first's.
                runner.load_checkpoint(checkpoint)
        else:
            self._save_initial_weights(runner)
            checkpoint = osp.join(self.work_dir, self.INITIAL_WEIGHTS)
        metrics = runner.test() if test else {}
        release_dataloader_workers(runner)
        del runner
        gc.collect()
        extra = {}
        if osp.exists(self.class_scores_file):
            extra['class_scores'] = self.class_scores_file
        return StageResult(artifact=checkpoint, metrics=metrics, extra=extra)

    def _apply_tta(self, cfg: Config) -> None:
        """Set ``cfg`` to test with its ``tta_pipeline`` and ``tta_model``."""
        dataset = cfg.test_dataloader.dataset
        if 'pipeline' not in dataset:
            raise KeyError(f'stage "{self.name}": tta=True replaces '
                           'test_dataloader.dataset.pipeline, which the '
                           f'dataset {dataset.get("type")} does not have')
        dataset.pipeline = copy.deepcopy(cfg.tta_pipeline)
        cfg.custom_hooks = [
            *cfg.get('custom_hooks', []),
            dict(type='PrepareTTAHook', tta_cfg=copy.deepcopy(cfg.tta_model))
        ]

    def _save_initial_weights(self, runner) -> None:
        """Initialise the runner's model as ``runner.train()`` would (its
        ``init_cfg``, parameters broadcast from the first process) and save
        it as the stage's checkpoint."""
        runner._init_model_weights()
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        if is_main_process():
            save_checkpoint(
                dict(meta=dict(stage=self.name, trained=False),
                     state_dict=weights_to_cpu(get_state_dict(model))),
                osp.join(self.work_dir, self.INITIAL_WEIGHTS))
        barrier()

    def build_model(self, checkpoint: str) -> nn.Module:
        """The stage's model with the weights of ``checkpoint``, on the
        current device, in eval mode."""
        cfg = self.runner_cfg()
        resolve_num_classes(cfg)
        init_default_scope(cfg.get('default_scope', 'wsol_mm'))
        model = MODELS.build(cfg.model)
        load_checkpoint(model, checkpoint, map_location='cpu',
                        logger=self.logger)
        return model.to(get_device()).eval()

    def artifact_problem(self, manifest: StageManifest) -> Optional[str]:
        scores = manifest.extra.get('class_scores')
        if scores is not None and not osp.exists(scores):
            return f'{scores} is missing'
        return super().artifact_problem(manifest)


def training_stage(context: PipelineContext, name: str,
                   user: str) -> TrainStage:
    """The training stage ``name`` whose model stage ``user`` reads."""
    stage = context.stage(name, user)
    if not isinstance(stage, TrainStage):
        raise TypeError(f'stage "{user}": localizer "{name}" is not a '
                        'training stage')
    return stage
