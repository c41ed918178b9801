"""tools/analysis_tools/compare_methods.py end to end on tiny data (Center
tested once, a tiny CAM trained with two seeds, a broken config), and the
table, option and multi-stage logic of wsol_mm.studies.method_comparison."""
import json
import os
import os.path as osp
import re
import statistics
import sys

import pytest

from wsol_mm.pipelines import StageManifest
from wsol_mm.studies.method_comparison import (Method, MethodComparison,
                                             format_table, short_metrics)
from .conftest import REPO_ROOT, python_tool, write_config

TOOL = osp.join('analysis_tools', 'compare_methods.py')
TOOLS_DIR = osp.join(REPO_ROOT, 'tools')
CENTER = osp.join(REPO_ROOT, 'configs', 'center', 'center_gaussian_demo.py')
KEYS = {'Top-1 Cls': 'top1_cls', 'GT-known Loc': 'gt_known_loc',
        'MaxBoxAcc': 'max_box_acc', 'MaxBoxAccV2': 'max_box_acc_v2'}


def _options(data_root):
    return [f'data_root={data_root}', 'train_cfg.max_epochs=1',
            'test_dataloader.num_workers=0',
            'test_dataloader.persistent_workers=False']


def _compare(configs, work_dir, options):
    """The comparison in this process (a reused run starts no subprocess);
    its summary and progress lines."""
    lines = []
    summary = MethodComparison(
        configs, str(work_dir), TOOLS_DIR, seeds=2, cfg_options=options,
        python=sys.executable, log=lines.append).run()
    return summary, '\n'.join(lines)


def _table(stdout):
    """{method: {column: cell}} of the printed table."""
    lines = [line for line in stdout.splitlines() if line.startswith('| ')]
    header = [c.strip() for c in lines[0].strip('|').split('|')]
    rows = [[c.strip() for c in line.strip('|').split('|')]
            for line in lines[1:]]
    return {row[0]: dict(zip(header, row)) for row in rows}


def _run_metrics(work_dir, name, seed):
    with open(osp.join(work_dir, name, f'seed_{seed}', 'metrics.json')) as f:
        return json.load(f)


def test_compare_methods_trains_tests_reuses_and_reports_failures(
        tiny_data, tmp_path):
    cam = write_config(tmp_path / 'cam_tiny.py', tiny_data, 1)
    broken = tmp_path / 'center_broken.py'  # test only: one run
    broken.write_text(f'_base_ = [{CENTER!r}]\nmodel = dict(sigma=-1.0)\n')
    work_dir = tmp_path / 'cmp'
    options = _options(tiny_data)
    args = ['--seeds', '2', '--work-dir', str(work_dir), '--cfg-options',
            *options]

    first = python_tool(TOOL, CENTER, cam, str(broken), *args)
    assert first.returncode == 1, first.stdout[-3000:] + first.stderr[-3000:]
    out = first.stdout
    assert re.search(r'\[1/4\] center_gaussian_demo seed 0: tested in', out)
    assert re.search(r'\[3/4\] cam_tiny seed 1: trained and tested in', out)
    failed = re.search(r'\[4/4\] center_broken seed 0: FAILED \(test '
                       r'exited with 1\), log: (\S+);', out)
    assert failed, out
    assert 'sigma must be positive' in open(failed.group(1)).read()
    assert 'Failed: center_broken seed 0' in out
    assert 'train_cfg.max_epochs=1' in re.search(
        r'center_gaussian_demo: options left out[^\n]*', out).group(0)
    # Center: tested once, without a checkpoint.
    assert not osp.exists(work_dir / 'center_gaussian_demo' / 'seed_1')

    table = _table(out)
    assert set(table) == {'center_gaussian_demo', 'cam_tiny', 'center_broken'}
    assert 'PxAP' not in table['cam_tiny']  # CUB layout: no masks
    center = short_metrics(_run_metrics(work_dir, 'center_gaussian_demo', 0))
    assert table['center_gaussian_demo']['Top-1 Cls'] == '-'
    assert table['center_gaussian_demo']['Seeds'] == '1 (test only)'
    for column in ('GT-known Loc', 'MaxBoxAcc', 'MaxBoxAccV2'):
        assert table['center_gaussian_demo'][column] == \
            f'{center[KEYS[column]]:.2f}'
    runs = [_run_metrics(work_dir, 'cam_tiny', s) for s in (0, 1)]
    assert runs[0] != runs[1]  # the seeds reached the runs
    settings = json.loads(
        (work_dir / 'cam_tiny' / 'seed_1' / 'run_settings.json').read_text())
    assert settings['cfg_options'][-1] == 'randomness.seed=1'
    assert table['cam_tiny']['Seeds'] == '2'
    for column, key in KEYS.items():
        values = [run[f'wsol/{key}'] for run in runs]
        assert table['cam_tiny'][column] == (
            f'{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f}')
    assert table['center_broken']['Seeds'] == '0 (1 failed)'
    assert {table['center_broken'][c] for c in KEYS} == {'-'}
    assert 'sample standard deviation (ddof=1)' in out

    summary = json.loads((work_dir / 'comparison.json').read_text())
    by_name = {m['name']: m for m in summary['methods']}
    assert by_name['cam_tiny']['runs']['1'] == runs[1]
    assert by_name['cam_tiny']['std']['max_box_acc_v2'] == pytest.approx(
        statistics.stdev(run['wsol/max_box_acc_v2'] for run in runs))
    assert [f['seed'] for f in by_name['center_broken']['failed']] == [0]
    markdown = (work_dir / 'comparison.md').read_text()
    assert _table(markdown) == table

    # Second invocation: every run reused, nothing trained or tested again.
    run_dirs = [work_dir / 'center_gaussian_demo' / 'seed_0'] + [
        work_dir / 'cam_tiny' / f'seed_{s}' for s in (0, 1)]
    before = {str(p): os.stat(p).st_mtime_ns for d in run_dirs
              for p in d.rglob('*')}
    summary, out = _compare([CENTER, cam], work_dir, options)
    progress = re.findall(r'\[\d/3\] \S+ seed \d: (.*); elapsed', out)
    assert progress == ['reused'] * 3
    after = {str(p): os.stat(p).st_mtime_ns for d in run_dirs
             for p in d.rglob('*')}
    assert after == before
    assert not any(m['failed'] for m in summary['methods'])
    assert _table(out) == {
        k: v for k, v in table.items() if k != 'center_broken'}

    # Other options than those a run was made with: reused, with a warning.
    _, out = _compare([cam], work_dir, options + ['train_dataloader.'
                                                  'batch_size=2'])
    assert out.count('reused, made with other settings') == 2

    # A run without metrics.json but with a checkpoint resumes (MMEngine
    # --resume; nothing is left to train here) and is tested again.
    run_dir = work_dir / 'cam_tiny' / 'seed_1'
    checkpoint_mtime = os.stat(run_dir / 'epoch_1.pth').st_mtime_ns
    os.remove(run_dir / 'metrics.json')
    summary, out = _compare([cam], work_dir, options)
    assert not summary['methods'][0]['failed'], out
    assert re.search(r'\[1/2\] cam_tiny seed 0: reused;', out)
    assert '[2/2] cam_tiny seed 1: resumed, trained and tested' in out
    train_log = (run_dir / 'train.log').read_text()
    assert '--resume' in train_log and 'resumed epoch: 1' in train_log
    assert os.stat(run_dir / 'epoch_1.pth').st_mtime_ns == checkpoint_mtime
    assert _run_metrics(work_dir, 'cam_tiny', 1) == runs[1]


def test_bad_arguments_are_named(tmp_path):
    center = dict(work_dir=str(tmp_path), tools_dir=TOOLS_DIR)
    with pytest.raises(ValueError, match='seeds must be a positive'):
        MethodComparison([CENTER], seeds=0, **center)
    with pytest.raises(ValueError, match="'train_cfg.max_epochs' is not KEY"):
        MethodComparison([CENTER], cfg_options=['train_cfg.max_epochs'],
                         **center)
    with pytest.raises(ValueError, match='randomness is set per run'):
        MethodComparison([CENTER], cfg_options=['randomness.seed=3'],
                         **center)
    other = tmp_path / 'center_gaussian_demo.py'
    other.write_text(f'_base_ = [{CENTER!r}]\n')
    with pytest.raises(ValueError, match='the same name "center_gaussian'):
        MethodComparison([CENTER, str(other)], **center)


def test_options_for_missing_runner_parts_are_left_out(tmp_path):
    lines = []
    comparison = MethodComparison(
        [CENTER], str(tmp_path), TOOLS_DIR, seeds=3,
        cfg_options=['data_root=/x', 'train_cfg.max_epochs=1',
                     'val_dataloader.num_workers=0',
                     'test_dataloader.num_workers=0'], log=lines.append)
    (method, ) = comparison.methods
    assert method.test_only and not method.multi_stage
    assert method.options == ['data_root=/x', 'test_dataloader.num_workers=0']
    assert lines == ['center_gaussian_demo: options left out (the config has '
                     'no such runner part): train_cfg.max_epochs=1 '
                     'val_dataloader.num_workers=0']
    assert comparison._runs() == [(method, 0)]  # tested once, not per seed


def test_multi_stage_metrics_are_the_last_stages(tmp_path):
    config = tmp_path / 'two_stages.py'
    config.write_text(
        "stages = dict(first=dict(type='TrainStage'),\n"
        "              second=dict(type='EvaluateStage'),\n"
        "              dropped=None)\n")
    comparison = MethodComparison([str(config)], str(tmp_path), TOOLS_DIR,
                                  seeds=2, cfg_options=['a.b=1'])
    (method, ) = comparison.methods
    assert method.multi_stage and method.last_stage == 'second'
    assert method.options == ['a.b=1'] and len(comparison._runs()) == 2
    run_dir = tmp_path / 'run'
    for stage, value in (('first', 10.0), ('second', 42.0)):
        StageManifest(stage=stage, fingerprint='x', metrics={
            'wsol/max_box_acc_v2': value}).write(str(run_dir / stage))
    assert comparison._last_stage_metrics(method, str(run_dir)) == {
        'wsol/max_box_acc_v2': 42.0}
    empty = Method('m', str(config), multi_stage=True, last_stage='none')
    with pytest.raises(RuntimeError, match='last stage "none" left no'):
        comparison._last_stage_metrics(empty, str(run_dir))


def test_table_cells_columns_and_prefixes():
    assert short_metrics({'wsol/pxap': 1.0, 'pxap': 2.0, 'accuracy/top1': 3}
                         ) == {'pxap': 1.0, 'top1': 3}
    summary = dict(std='sample std (ddof=1)', methods=[
        dict(name='a', num_runs=3, test_only=False, failed=[],
             mean=dict(pxap=50.0, max_box_acc=12.3456),
             std=dict(pxap=1.0, max_box_acc=0.5)),
        dict(name='baseline', num_runs=1, test_only=True, failed=[],
             mean=dict(max_box_acc=7.0), std=dict(max_box_acc=None))])
    lines = format_table(summary).splitlines()
    header = [c.strip() for c in lines[0].strip('|').split('|')]
    assert header == ['Method', 'Seeds', 'Top-1 Cls', 'GT-known Loc',
                      'MaxBoxAcc', 'MaxBoxAccV2', 'PxAP']
    assert lines[1].startswith('|:---') and lines[1].endswith('-:|')
    cells = [c.strip() for c in lines[2].strip('|').split('|')]
    assert cells == ['a', '3', '-', '-', '12.35 ± 0.50', '-', '50.00 ± 1.00']
    cells = [c.strip() for c in lines[3].strip('|').split('|')]
    assert cells == ['baseline', '1 (test only)', '-', '-', '7.00', '-', '-']
    assert len({len(line) for line in lines[:4]}) == 1  # aligned
    summary['methods'][0]['mean'].pop('pxap')
    assert 'PxAP' not in format_table(summary)
