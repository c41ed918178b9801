"""Run the stages of a multi-stage method in order, resumably."""
import copy
import os
import os.path as osp
import time
from typing import Dict, Optional, Sequence

from mmengine.config import Config
from mmengine.dist import barrier, is_main_process
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

from wsol_mm.registry import STAGES
from .base_stage import BaseStage, PipelineContext
from .stage_manifest import StageManifest

# Metrics shown in the closing summary, in this order, when a stage has them.
SUMMARY_METRICS = ('gt_known_loc', 'top1_loc', 'top5_loc', 'max_box_acc',
                   'max_box_acc_v2', 'pxap', 'top1_cls', 'accuracy/top1')


def _short_name(key: str) -> str:
    """``'wsol/gt_known_loc'`` -> ``'gt_known_loc'``."""
    return key.split('/', 1)[1] if key.startswith('wsol/') else key


class MultiStagePipeline:
    """The stages of ``cfg.stages`` run in one work dir.

    ``stages`` is a dict ``{name: stage config}`` in running order (a child
    config adds, changes or, with ``name=None``, drops stages); every other
    key of ``cfg`` is the runner config the training stages share. Each stage
    works in ``<work_dir>/<name>`` and, when done, leaves a
    :class:`StageManifest` there.

    A stage is skipped on resume when its manifest exists, was made with the
    same settings (fingerprint) from the same runs of its input stages, and
    its artifact is intact; otherwise it runs again (a training stage
    continuing from its last checkpoint when it never finished), and so do
    the stages after it that read it.

    Args:
        cfg (Config): The pipeline config (with ``work_dir`` set).
    """

    def __init__(self, cfg: Config):
        cfg = copy.deepcopy(cfg)
        stages = cfg.pop('stages', None)
        if not stages or not isinstance(stages, dict):
            raise KeyError('a multi-stage config needs `stages = dict(name='
                           'dict(type=...), ...)`')
        init_default_scope(cfg.get('default_scope', 'wsol_mm'))
        self.work_dir = osp.abspath(cfg.work_dir)
        os.makedirs(self.work_dir, exist_ok=True)
        timestamp = time.strftime('%Y%m%d_%H%M%S')
        self.logger = MMLogger.get_instance(
            f'wsol_mm_pipeline_{timestamp}_{time.perf_counter_ns()}',
            log_file=osp.join(self.work_dir, f'pipeline_{timestamp}.log'),
            log_level='INFO')
        self.context = PipelineContext(self.work_dir, cfg, self.logger)
        for name, spec in stages.items():
            if spec is None:
                continue
            spec = dict(spec)
            if 'type' not in spec:
                raise KeyError(f'stages.{name} has no type (e.g. '
                               'TrainStage, CAMPseudoMaskStage)')
            self.context.stages[name] = STAGES.build(
                spec, default_args=dict(name=name, context=self.context))
        self._check_order()

    @property
    def stages(self) -> Dict[str, BaseStage]:
        return self.context.stages

    def _check_order(self) -> None:
        seen = []
        for name, stage in self.stages.items():
            for needed in stage.inputs():
                if needed not in self.stages:
                    raise KeyError(
                        f'stage "{name}" reads stage "{needed}", which is not '
                        f'in the pipeline (stages: {", ".join(self.stages)})')
                if needed not in seen:
                    raise ValueError(f'stage "{name}" reads stage "{needed}", '
                                     'which comes after it: reorder stages')
            seen.append(name)

    def _usable(self, stage: BaseStage, manifest: Optional[StageManifest]
                ) -> Optional[str]:
        """None if ``manifest`` records a usable run of ``stage``, else
        why not."""
        if manifest is None:
            return 'it has not finished'
        if manifest.fingerprint != stage.fingerprint():
            return 'its settings changed since it ran'
        for name in stage.inputs():
            current = self.context.manifests.get(name)
            if current is None or manifest.inputs.get(name) != \
                    current.run_id:
                return f'stage "{name}" ran again since'
        return stage.artifact_problem(manifest)

    def run(self, resume: bool = False,
            only: Optional[Sequence[str]] = None) -> Dict[str, dict]:
        """Run the stages (``only`` those named) and return ``{stage:
        metrics}``. Stages outside ``only`` are not run; their finished
        outputs are used."""
        unknown = set(only or ()) - set(self.stages)
        if unknown:
            raise KeyError(f'unknown stage(s) {sorted(unknown)}; the pipeline '
                           f'has {", ".join(self.stages)}')
        self.logger.info(f'Pipeline of {len(self.stages)} stages in '
                         f'{self.work_dir}: {" -> ".join(self.stages)}')
        for name, stage in self.stages.items():
            manifest = StageManifest.read(stage.work_dir)
            problem = self._usable(stage, manifest)
            selected = only is None or name in only
            if not selected:
                if problem is None:
                    self.context.manifests[name] = manifest
                continue
            if resume and problem is None:
                self.logger.info(f'Stage "{name}": finished before, skipped '
                                 f'({manifest.artifact})')
                self.context.manifests[name] = manifest
                continue
            self._run_stage(stage, resume and manifest is None, problem)
        return self.summary()

    def _run_stage(self, stage: BaseStage, resume: bool,
                   problem: Optional[str]) -> None:
        why = f' (resuming; {problem})' if resume else (
            f' ({problem})' if problem else '')
        self.logger.info(f'Stage "{stage.name}" ({type(stage).__name__}) '
                         f'starts{why}')
        if is_main_process():
            StageManifest.remove(stage.work_dir)
            os.makedirs(stage.work_dir, exist_ok=True)
        barrier()
        inputs = {name: self.context.manifest(name, stage.name).run_id
                  for name in stage.inputs()}
        start = time.time()
        result = stage.run(resume)
        manifest = StageManifest(
            stage=stage.name, fingerprint=stage.fingerprint(), inputs=inputs,
            artifact=result.artifact, metrics=dict(result.metrics),
            extra=dict(result.extra))
        if is_main_process():
            manifest.write(stage.work_dir)
        barrier()
        self.context.manifests[stage.name] = StageManifest.read(
            stage.work_dir) or manifest
        self.logger.info(f'Stage "{stage.name}" finished in '
                         f'{time.time() - start:.0f} s: {result.artifact}')

    def summary(self) -> Dict[str, dict]:
        """Log a table of the stages' main metrics; return all metrics."""
        results = {name: m.metrics
                   for name, m in self.context.manifests.items()}
        rows = []
        for name, metrics in results.items():
            short = {_short_name(k): v for k, v in metrics.items()}
            shown = [f'{k} {short[k]:.2f}' for k in SUMMARY_METRICS
                     if isinstance(short.get(k), (int, float))]
            if shown:
                rows.append(f'  {name:<16} ' + ', '.join(shown))
        if rows:
            self.logger.info('Pipeline results:\n' + '\n'.join(rows))
        return results
