"""MultiStagePipeline: order, resume, stale stages, single stages, errors,
with stages that record their runs (no training)."""
import os.path as osp

import pytest
from mmengine.config import Config

from wsol_mm.pipelines import (BaseStage, MultiStagePipeline, StageManifest,
                               StageResult, find_references,
                               resolve_references)
from wsol_mm.registry import STAGES

RUNS = []


@STAGES.register_module(force=True)
class RecordingStage(BaseStage):
    """Writes ``value`` and the texts of the stages it reads to a file."""

    def __init__(self, name, context, reads=(), value=0):
        super().__init__(name, context)
        self.reads = list(reads)
        self.value = value

    def settings(self):
        return dict(reads=[f'stage:{name}' for name in self.reads],
                    value=self.value)

    def run(self, resume):
        RUNS.append((self.name, resume))
        text = ' '.join([str(self.value)] + [
            open(path).read() for path in self.resolve(
                self.settings()['reads'])])
        path = osp.join(self.work_dir, 'out.txt')
        with open(path, 'w') as f:
            f.write(f'({text})')
        return StageResult(artifact=path,
                           metrics={'wsol/gt_known_loc': float(self.value)})


def _cfg(tmp_path, **changes):
    stages = dict(
        a=dict(type='RecordingStage', value=1),
        b=dict(type='RecordingStage', reads=['a'], value=2),
        c=dict(type='RecordingStage', reads=['a', 'b'], value=3))
    for name, change in changes.items():
        stages[name] = None if change is None else dict(stages[name],
                                                        **change)
    return Config(dict(work_dir=str(tmp_path), stages=stages))


def _run(tmp_path, resume=False, only=None, **changes):
    RUNS.clear()
    MultiStagePipeline(_cfg(tmp_path, **changes)).run(resume=resume,
                                                      only=only)
    return list(RUNS)


def _out(tmp_path, name):
    return open(tmp_path / name / 'out.txt').read()


def test_runs_stages_in_order_passing_artifacts(tmp_path):
    assert _run(tmp_path) == [('a', False), ('b', False), ('c', False)]
    assert _out(tmp_path, 'c') == '(3 (1) (2 (1)))'
    manifest = StageManifest.read(str(tmp_path / 'c'))
    assert manifest.metrics == {'wsol/gt_known_loc': 3.0}
    assert manifest.inputs == {
        'a': StageManifest.read(str(tmp_path / 'a')).run_id,
        'b': StageManifest.read(str(tmp_path / 'b')).run_id}


def test_without_resume_every_stage_runs_again(tmp_path):
    _run(tmp_path)
    assert _run(tmp_path) == [('a', False), ('b', False), ('c', False)]


def test_resume_skips_finished_stages(tmp_path):
    _run(tmp_path)
    assert _run(tmp_path, resume=True) == []


def test_resume_continues_the_unfinished_stage_and_redoes_its_readers(
        tmp_path):
    _run(tmp_path)
    StageManifest.remove(str(tmp_path / 'b'))  # b was interrupted
    assert _run(tmp_path, resume=True) == [('b', True), ('c', False)]


def test_changed_settings_rerun_the_stage_and_its_readers(tmp_path):
    _run(tmp_path)
    assert _run(tmp_path, resume=True, b=dict(value=5)) == [('b', False),
                                                            ('c', False)]
    assert _out(tmp_path, 'c') == '(3 (1) (5 (1)))'


def test_missing_artifact_reruns_the_stage(tmp_path):
    _run(tmp_path)
    (tmp_path / 'c' / 'out.txt').unlink()
    assert _run(tmp_path, resume=True) == [('c', False)]


def test_half_written_manifest_counts_as_unfinished(tmp_path):
    _run(tmp_path)
    with open(StageManifest.path(str(tmp_path / 'c')), 'w') as f:
        f.write('{"stage": "c", "fingerp')
    assert _run(tmp_path, resume=True) == [('c', True)]


def test_single_stage_uses_finished_inputs(tmp_path):
    _run(tmp_path)
    assert _run(tmp_path, only=['b']) == [('b', False)]
    # c read the previous run of b: it is stale now.
    assert _run(tmp_path, resume=True) == [('c', False)]


def test_single_stage_without_its_inputs_fails_clearly(tmp_path):
    with pytest.raises(RuntimeError, match='needs the output of stage "a"'):
        _run(tmp_path, only=['b'])


def test_dropped_stage_and_bad_pipelines(tmp_path):
    assert _run(tmp_path, c=None) == [('a', False), ('b', False)]
    with pytest.raises(KeyError, match="unknown stage"):
        _run(tmp_path, only=['z'])
    with pytest.raises(KeyError, match='reads stage "x"'):
        _run(tmp_path, b=dict(reads=['x']))
    with pytest.raises(ValueError, match='comes after it'):
        _run(tmp_path, a=dict(reads=['c']))
    with pytest.raises(KeyError, match='needs `stages'):
        MultiStagePipeline(Config(dict(work_dir=str(tmp_path))))


def test_references():
    value = dict(a='stage:x', b=[dict(c='stage:y'), 'plain', 3],
                 d=('stage:x', ))
    assert find_references(value) == {'x', 'y'}
    resolved = resolve_references(value, lambda name: f'/out/{name}')
    assert resolved == dict(a='/out/x', b=[dict(c='/out/y'), 'plain', 3],
                            d=('/out/x', ))
