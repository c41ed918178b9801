"""What every stage of a multi-stage pipeline shares."""
import hashlib
import json
import os.path as osp
from abc import ABCMeta, abstractmethod
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from mmengine.config import Config
from mmengine.logging import MMLogger

from .stage_manifest import StageManifest
from .stage_references import find_references, resolve_references


@dataclass
class StageResult:
    """What a stage returns when it ran: its artifact, metrics and extras."""
    artifact: Optional[str] = None
    metrics: Dict[str, float] = field(default_factory=dict)
    extra: Dict[str, object] = field(default_factory=dict)


@dataclass
class PipelineContext:
    """What the stages of one pipeline share.

    Attributes:
        work_dir (str): The pipeline's folder; each stage works in
            ``<work_dir>/<stage name>``.
        shared_cfg (Config): The config without ``stages``: the runner
            settings every training stage starts from.
        logger (MMLogger): The pipeline's logger.
        stages (dict): ``{name: stage}`` in pipeline order.
        manifests (dict): ``{name: StageManifest}`` of the finished stages.
    """
    work_dir: str
    shared_cfg: Config
    logger: MMLogger
    stages: Dict[str, 'BaseStage'] = field(default_factory=dict)
    manifests: Dict[str, StageManifest] = field(default_factory=dict)

    def stage(self, name: str, user: str) -> 'BaseStage':
        if name not in self.stages:
            raise KeyError(f'stage "{user}" refers to the stage "{name}", '
                           f'which the pipeline does not have (stages: '
                           f'{", ".join(self.stages)})')
        return self.stages[name]

    def manifest(self, name: str, user: str) -> StageManifest:
        """The manifest of a finished stage that ``user`` reads."""
        if name not in self.manifests:
            raise RuntimeError(
                f'stage "{user}" needs the output of stage "{name}", which '
                f'has not finished in {self.work_dir}: run the pipeline '
                f'(with --resume to keep finished stages) or --stage {name} '
                'first')
        return self.manifests[name]

    def artifact(self, name: str, user: str) -> str:
        return self.manifest(name, user).artifact


class BaseStage(metaclass=ABCMeta):
    """One step of a multi-stage method.

    A stage works in ``<work_dir>/<name>``; when it finishes, the pipeline
    writes its :class:`StageManifest` there, the only sign that the stage is
    complete. Subclasses say which stages they read (:meth:`inputs`), run
    (:meth:`run`) and check that their artifact is still usable
    (:meth:`artifact_problem`).

    Args:
        name (str): The stage's name (its key in ``stages``).
        context (PipelineContext): The pipeline it belongs to.
    """

    def __init__(self, name: str, context: PipelineContext):
        self.name = name
        self.context = context

    @property
    def work_dir(self) -> str:
        return osp.join(self.context.work_dir, self.name)

    @property
    def logger(self) -> MMLogger:
        return self.context.logger

    def settings(self) -> dict:
        """What determines this stage's result (hashed into its
        fingerprint); ``'stage:'`` references are kept unresolved."""
        return {}

    def inputs(self) -> List[str]:
        """Names of the stages whose outputs this one reads: by default those
        referenced as ``'stage:<name>'`` in :meth:`settings`."""
        return sorted(find_references(self.settings()))

    def resolve(self, value):
        """``value`` with its ``'stage:<name>'`` references replaced by those
        stages' artifacts."""
        return resolve_references(
            value, lambda name: self.context.artifact(name, self.name))

    def fingerprint(self) -> str:
        text = json.dumps(self.settings(), sort_keys=True, default=str)
        return hashlib.sha1(
            f'{type(self).__name__}:{text}'.encode()).hexdigest()

    @abstractmethod
    def run(self, resume: bool) -> StageResult:
        """Do the stage's work; ``resume`` continues an interrupted run
        where the stage supports it."""

    def artifact_problem(self, manifest: StageManifest) -> Optional[str]:
        """Why the artifact of a finished run is unusable, or None."""
        if manifest.artifact is not None and not osp.exists(
                manifest.artifact):
            return f'{manifest.artifact} is missing'
        return None
