"""CAM-Agg (Cole et al., ECCV 2022, sec. 5.1): a leaf-level CAM tested
with the mean map of each class's group at a coarser level."""
import os.path as osp
from typing import List, Sequence

from mmengine.registry import init_default_scope

from wsol_mm.datasets import LabelHierarchy
from wsol_mm.registry import DATASETS, STAGES
from .base_stage import BaseStage, PipelineContext, StageResult
from .evaluate_stage import METRICS_FILE, test_to_file
from .run_selection import best_run
from .train_stage import stage_runner_cfg, training_stage


@STAGES.register_module()
class CAMAggStage(BaseStage):
    """Test the selected one of ``candidates`` (training stages of a CAM-style
    model, e.g. one per learning rate) with CAM-Agg at ``level``: the map
    of an image's class becomes the mean of the raw CAMs of all classes
    that share its ``level`` ancestor (``test_cfg.score_map='group_mean'``),
    then the usual resize and min-max normalisation.

    The groups come from the label hierarchy of the run's test dataset
    (:meth:`LabelHierarchy.from_dataset`), from the level it is labelled at
    to ``level``.

    Args:
        candidates (sequence of str): Training stages to select from.
        level (str): The aggregation level (genus, family, ...).
        select (str): The metric that selects the candidate (highest wins;
            the first on a tie). Defaults to ``'val/wsol/max_box_acc_v2'``.
    """

    def __init__(self, name: str, context: PipelineContext,
                 candidates: Sequence[str], level: str,
                 select: str = 'val/wsol/max_box_acc_v2'):
        super().__init__(name, context)
        if isinstance(candidates, str) or not candidates:
            raise ValueError(f'stage "{name}": candidates must be a non-empty '
                             f'list of stage names, got {candidates!r}')
        self.candidates = list(candidates)
        self.level = level
        self.select = select

    def inputs(self) -> List[str]:
        return list(self.candidates)

    def settings(self) -> dict:
        return dict(candidates=self.candidates, level=self.level,
                    select=self.select)

    def run(self, resume: bool) -> StageResult:
        metrics = {name: self.context.manifest(name, self.name).metrics
                   for name in self.candidates}
        selected = best_run(self.candidates, metrics, self.select)
        stage = training_stage(self.context, selected, self.name)
        cfg = stage_runner_cfg(stage.runner_cfg(), self.work_dir, self.name)
        init_default_scope(cfg.get('default_scope', 'wsol_mm'))
        dataset = DATASETS.build(cfg.test_dataloader.dataset)
        trained_at = dataset.metainfo.get('level')
        hierarchy = LabelHierarchy.from_dataset(dataset)
        if trained_at is None:
            trained_at = hierarchy.levels[0]
        groups = hierarchy.group_ids(trained_at, self.level)
        cfg.model.test_cfg = {**(cfg.model.get('test_cfg') or {}),
                              'score_map': 'group_mean',
                              'score_map_groups': groups}
        cfg.load_from = self.context.artifact(selected, self.name)
        cfg.resume = False
        self.logger.info(
            f'Stage "{self.name}": CAM-Agg of "{selected}" (best '
            f'{self.select}), {len(groups)} {trained_at} classes averaged '
            f'within {len(set(groups))} {self.level} groups')
        out = osp.join(self.work_dir, METRICS_FILE)
        result = test_to_file(cfg, out)
        return StageResult(artifact=out, metrics=result,
                           extra=dict(selected=selected, level=self.level,
                                      trained_at=trained_at))
