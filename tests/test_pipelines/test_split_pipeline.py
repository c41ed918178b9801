"""SplitPipeline: stages shared among processes without a process group,
resume, waiting for another process' stage, failures, best_run."""
import os.path as osp
import threading

import pytest
from mmengine.config import Config

from wsol_mm.pipelines import (BaseStage, SplitPipeline, StageManifest,
                               StageResult, best_run)
from wsol_mm.pipelines.split_pipeline import FAILED_NAME, format_duration
from wsol_mm.registry import STAGES

RUNS = []


@STAGES.register_module(force=True)
class CountingStage(BaseStage):
    """Records which process ran it; ``fail`` raises; ``reads`` are
    inputs."""

    def __init__(self, name, context, reads=(), fail=False, rank=0):
        super().__init__(name, context)
        self.reads = list(reads)
        self.fail = fail
        self.rank = rank

    def inputs(self):
        return self.reads

    def settings(self):
        return dict(reads=self.reads)

    def run(self, resume):
        if self.fail:
            raise RuntimeError(f'{self.name} broke')
        RUNS.append((self.rank, self.name))
        path = osp.join(self.work_dir, 'out.txt')
        with open(path, 'w') as f:
            f.write(self.name)
        return StageResult(artifact=path, metrics={'score': len(self.name)})


def _cfg(tmp_path, rank=0, fail=()):
    names = ['a', 'b', 'c', 'd', 'e']
    stages = {n: dict(type='CountingStage', rank=rank, fail=n in fail)
              for n in names}
    stages['e']['reads'] = ['a', 'b', 'c', 'd']
    return Config(dict(work_dir=str(tmp_path), stages=stages))


def test_one_process_runs_everything_then_skips_it(tmp_path):
    RUNS.clear()
    SplitPipeline(_cfg(tmp_path)).run()
    assert [n for _, n in RUNS] == ['a', 'b', 'c', 'd', 'e']
    RUNS.clear()
    results = SplitPipeline(_cfg(tmp_path)).run()
    assert RUNS == []
    assert results['e'] == {'score': 1}


def test_an_unfinished_stage_runs_again_and_the_ones_reading_it(tmp_path):
    SplitPipeline(_cfg(tmp_path)).run()
    StageManifest.remove(str(tmp_path / 'c'))  # killed while running c
    RUNS.clear()
    SplitPipeline(_cfg(tmp_path)).run()
    assert [n for _, n in RUNS] == ['c', 'e']


def test_two_processes_share_the_stages(tmp_path):
    RUNS.clear()
    other = threading.Thread(target=lambda: SplitPipeline(
        _cfg(tmp_path, rank=1), rank=1, world_size=2,
        poll_seconds=0.05).run())
    other.start()
    first = SplitPipeline(_cfg(tmp_path, rank=0), rank=0, world_size=2,
                          poll_seconds=0.05)
    results = first.run()
    other.join(timeout=60)
    assert sorted(RUNS) == [(0, 'a'), (0, 'c'), (0, 'e'), (1, 'b'), (1, 'd')]
    assert first.owner('d') == 1
    # The first process waited for b and d and knows their results.
    assert set(results) == {'a', 'b', 'c', 'd', 'e'}


def test_a_failed_stage_stops_the_processes_waiting_for_it(tmp_path):
    with pytest.raises(RuntimeError, match='b broke'):
        SplitPipeline(_cfg(tmp_path, rank=1, fail=('b', )), rank=1,
                      world_size=2, poll_seconds=0.05).run()
    assert osp.exists(tmp_path / 'b' / FAILED_NAME)
    with pytest.raises(RuntimeError, match='stage "b" failed in process 1'):
        SplitPipeline(_cfg(tmp_path), rank=0, world_size=2,
                      poll_seconds=0.05).run()
    # Run again, the stage is retried and its marker removed.
    SplitPipeline(_cfg(tmp_path), rank=0, world_size=1).run()
    assert not osp.exists(tmp_path / 'b' / FAILED_NAME)


def test_rank_outside_the_world_is_an_error(tmp_path):
    with pytest.raises(ValueError, match='rank must be in'):
        SplitPipeline(_cfg(tmp_path), rank=2, world_size=2)


def test_format_duration():
    assert format_duration(725) == '12 min 05 s'
    assert format_duration(3725) == '1 h 02 min'


def test_best_run_takes_the_highest_value_and_the_first_on_a_tie():
    metrics = {'x': {'m': 1.0}, 'y': {'m': 3.0}, 'z': {'m': 3.0}}
    assert best_run(['x', 'y', 'z'], metrics, 'm') == 'y'
    assert best_run(['z', 'y'], metrics, 'm') == 'z'
    with pytest.raises(KeyError, match='run "x" has no value of other'):
        best_run(['x'], metrics, 'other')
    with pytest.raises(KeyError, match='has no value'):
        best_run(['x'], {'x': {'m': float('nan')}}, 'm')
    with pytest.raises(ValueError, match='no runs'):
        best_run([], metrics, 'm')
