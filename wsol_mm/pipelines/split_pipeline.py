"""A pipeline of independent runs shared among the processes of a launcher
(one run per GPU), resumable, with a progress line."""
import os
import os.path as osp
import time
import traceback
from typing import Dict, List

from mmengine.config import Config

from .base_stage import BaseStage
from .multi_stage_pipeline import MultiStagePipeline
from .stage_manifest import StageManifest

FAILED_NAME = 'stage_failed.txt'


def format_duration(seconds: float) -> str:
    """``3725`` -> ``'1 h 02 min'``; under an hour ``'12 min 05 s'``."""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f'{hours} h {minutes:02d} min'
    return f'{minutes} min {secs:02d} s'


class SplitPipeline(MultiStagePipeline):
    """Run the stages of ``cfg.stages``, always resuming, shared among
    ``world_size`` processes that need no process group: process ``rank``
    runs every ``world_size``-th stage (the stages of a study are whole
    training runs, each on its own device) and waits for the stages of
    others that its own read, watching their manifests. A finished stage is
    never run again (unless its settings or inputs changed); an interrupted
    one continues from its last checkpoint. A stage that fails leaves
    ``stage_failed.txt`` with the traceback in its folder, so that the
    processes waiting for it stop too.

    After each stage a progress line gives the stages done (by all
    processes) and the estimated time left for this process.

    Args:
        cfg (Config): The pipeline config (with ``work_dir`` and
            ``stages``).
        rank (int): This process' index. Defaults to 0.
        world_size (int): The number of processes. Defaults to 1.
        poll_seconds (float): How often to look for another process'
            manifest. Defaults to 10.
    """

    def __init__(self, cfg: Config, rank: int = 0, world_size: int = 1,
                 poll_seconds: float = 10.0):
        if not 0 <= rank < world_size:
            raise ValueError(f'rank must be in [0, {world_size}), got {rank}')
        super().__init__(cfg)
        self.rank = rank
        self.world_size = world_size
        self.poll_seconds = poll_seconds

    def owner(self, name: str) -> int:
        """The process that runs stage ``name``."""
        return list(self.stages).index(name) % self.world_size

    def run(self) -> Dict[str, dict]:
        names = list(self.stages)
        mine = [name for name in names if self.owner(name) == self.rank]
        self.logger.info(
            f'{len(names)} stages in {self.work_dir}; process {self.rank} of '
            f'{self.world_size} runs {len(mine)} of them')
        durations: List[float] = []
        for position, name in enumerate(mine):
            stage = self.stages[name]
            for needed in stage.inputs():
                self._wait_for(needed)
            manifest = StageManifest.read(stage.work_dir)
            problem = self._usable(stage, manifest)
            if problem is None:
                self.logger.info(f'Stage "{name}": finished before, skipped')
                self.context.manifests[name] = manifest
            else:
                start = time.time()
                if osp.isdir(stage.work_dir):  # an earlier try was stopped
                    self._run_or_mark(stage, manifest is None, problem)
                else:
                    self._run_or_mark(stage, False, None)
                durations.append(time.time() - start)
            self._log_progress(names, durations, len(mine) - position - 1)
        for name in names:
            self._wait_for(name)
        return self.summary()

    def _run_or_mark(self, stage: BaseStage, resume: bool, problem) -> None:
        failed = osp.join(stage.work_dir, FAILED_NAME)
        if osp.exists(failed):
            os.remove(failed)
        try:
            self._run_stage(stage, resume, problem)
        except BaseException:
            os.makedirs(stage.work_dir, exist_ok=True)
            with open(failed, 'w', encoding='utf-8') as f:
                f.write(traceback.format_exc())
            raise

    def _log_progress(self, names: List[str], durations: List[float],
                      left: int) -> None:
        done = sum(StageManifest.read(self.stages[n].work_dir) is not None
                   for n in names)
        eta = ''
        if durations:
            eta = (', about ' + format_duration(
                left * sum(durations) / len(durations)) +
                   ' left for this process')
        self.logger.info(f'Progress: {done}/{len(names)} stages done{eta}')

    def _wait_for(self, name: str) -> None:
        """Record the finished stage ``name``, waiting for the process that
        runs it if needed."""
        if name in self.context.manifests:
            return
        stage = self.stages[name]
        for needed in stage.inputs():
            self._wait_for(needed)
        next_log = time.time()
        while True:
            manifest = StageManifest.read(stage.work_dir)
            if self._usable(stage, manifest) is None:
                self.context.manifests[name] = manifest
                return
            failed = osp.join(stage.work_dir, FAILED_NAME)
            if osp.exists(failed):
                raise RuntimeError(
                    f'stage "{name}" failed in process {self.owner(name)}: '
                    f'see {failed}; run the command again to retry it')
            if self.owner(name) == self.rank:
                raise RuntimeError(f'stage "{name}" of this process has not '
                                   'finished')
            if time.time() >= next_log:
                self.logger.info(f'Waiting for stage "{name}" (process '
                                 f'{self.owner(name)})')
                next_log += 300
            time.sleep(self.poll_seconds)
