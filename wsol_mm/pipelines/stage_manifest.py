"""The record a finished stage leaves in its folder."""
import json
import os
import os.path as osp
import uuid
from dataclasses import asdict, dataclass, field
from typing import Dict, Optional

MANIFEST_NAME = 'stage_manifest.json'


@dataclass
class StageManifest:
    """What a finished stage made and from what.

    Attributes:
        stage (str): The stage's name.
        fingerprint (str): Hash of the stage's settings when it ran.
        inputs (dict): ``{stage name: run_id}`` of the stages it read.
        artifact (str, optional): Path of what it made (a checkpoint, a mask
            folder, a metrics file).
        metrics (dict): The metrics it measured.
        extra (dict): Stage-specific facts (e.g. the number of masks).
        run_id (str): Unique id of this run, recorded by the stages that read
            this one so that they know when it was redone.
    """
    stage: str
    fingerprint: str
    inputs: Dict[str, str] = field(default_factory=dict)
    artifact: Optional[str] = None
    metrics: Dict[str, float] = field(default_factory=dict)
    extra: Dict[str, object] = field(default_factory=dict)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @staticmethod
    def path(stage_dir: str) -> str:
        return osp.join(stage_dir, MANIFEST_NAME)

    @classmethod
    def read(cls, stage_dir: str) -> Optional['StageManifest']:
        """The manifest in ``stage_dir``; None when there is none (the stage
        never finished) or it cannot be parsed (an interrupted write)."""
        try:
            with open(cls.path(stage_dir), encoding='utf-8') as f:
                return cls(**json.load(f))
        except (OSError, ValueError, TypeError):
            return None

    def write(self, stage_dir: str) -> None:
        """Write atomically: a reader sees the old file or the new one."""
        os.makedirs(stage_dir, exist_ok=True)
        tmp = self.path(stage_dir) + '.tmp'
        with open(tmp, 'w', encoding='utf-8') as f:
            json.dump(asdict(self), f, indent=2, default=float)
        os.replace(tmp, self.path(stage_dir))

    @classmethod
    def remove(cls, stage_dir: str) -> None:
        if osp.exists(cls.path(stage_dir)):
            os.remove(cls.path(stage_dir))
