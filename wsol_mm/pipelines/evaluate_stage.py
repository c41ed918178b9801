"""The last stage of SPOL / ISIC: a localizer's boxes, another model's
classes."""
import json
import os.path as osp
from typing import List, Optional, Union

from mmengine.dist import is_main_process

from wsol_mm.registry import STAGES
from wsol_mm.engine.runner_builder import run_runner
from .base_stage import BaseStage, PipelineContext, StageResult
from .train_stage import evaluator_list, stage_runner_cfg, training_stage

METRICS_FILE = 'metrics.json'


@STAGES.register_module()
class EvaluateStage(BaseStage):
    """Test the model of a training stage with the class predictions of a
    separate classifier (SPOL Alg. 1, lines 7-10).

    Args:
        localizer (str): Name of the training stage whose model and test
            split are evaluated.
        classifier (str, optional): Name of a training stage whose test run
            saved class scores (any classifier), or the path of such a file
            (:class:`DumpClassScores`). None keeps the localizer's own class
            predictions, if any.
        evaluator (dict | list, optional): Replaces the localizer's test
            evaluator; every ``WSOLMetric`` in it gets the class scores.
        model_test_cfg (dict, optional): Merged into the localizer model's
            ``test_cfg`` (e.g. SLT-Net's ``dict(predict_with='regressor')``
            to score the box regressor of a joint model).
    """

    def __init__(self, name: str, context: PipelineContext, localizer: str,
                 classifier: Optional[str] = None,
                 evaluator: Union[dict, List[dict], None] = None,
                 model_test_cfg: Optional[dict] = None):
        super().__init__(name, context)
        self.localizer = localizer
        self.classifier = classifier
        self.evaluator = evaluator
        self.model_test_cfg = dict(model_test_cfg or {})

    def _classifier_is_stage(self) -> bool:
        return self.classifier is not None and \
            self.classifier in self.context.stages

    def inputs(self) -> List[str]:
        names = [self.localizer]
        if self._classifier_is_stage():
            names.append(self.classifier)
        return names

    def settings(self) -> dict:
        return dict(localizer=self.localizer, classifier=self.classifier,
                    evaluator=self.evaluator,
                    model_test_cfg=self.model_test_cfg)

    def _class_scores_file(self) -> Optional[str]:
        if self.classifier is None:
            return None
        if not self._classifier_is_stage():
            if not osp.isfile(self.classifier):
                raise FileNotFoundError(
                    f'stage "{self.name}": classifier "{self.classifier}" is '
                    'neither a stage of the pipeline nor a class scores file')
            return self.classifier
        manifest = self.context.manifest(self.classifier, self.name)
        if 'class_scores' not in manifest.extra:
            raise RuntimeError(
                f'stage "{self.name}": the stage "{self.classifier}" saved no '
                'class scores (its model predicts none, or it was not tested)')
        return manifest.extra['class_scores']

    def run(self, resume: bool) -> StageResult:
        localizer = training_stage(self.context, self.localizer, self.name)
        cfg = stage_runner_cfg(localizer.runner_cfg(), self.work_dir,
                               self.name)
        cfg.load_from = self.context.artifact(self.localizer, self.name)
        cfg.resume = False
        if self.model_test_cfg:
            cfg.model.test_cfg = {**(cfg.model.get('test_cfg') or {}),
                                  **self.model_test_cfg}
        scores = self._class_scores_file()
        metrics_cfg = evaluator_list(self.evaluator
                                     or cfg.get('test_evaluator'))
        if scores is not None:
            for metric in metrics_cfg:
                if metric.get('type') == 'WSOLMetric':
                    metric['class_scores'] = scores
        cfg.test_evaluator = metrics_cfg
        out = osp.join(self.work_dir, METRICS_FILE)
        return StageResult(artifact=out, metrics=test_to_file(cfg, out))


def test_to_file(cfg, out_file: str) -> dict:
    """Test with the runner of ``cfg``; the metrics are returned and saved
    as JSON in ``out_file`` (by the first process)."""
    metrics = run_runner(cfg, 'test')
    if is_main_process():
        with open(out_file, 'w', encoding='utf-8') as f:
            json.dump(metrics, f, indent=2, default=float)
    return metrics
