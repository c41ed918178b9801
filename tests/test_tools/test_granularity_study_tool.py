"""tools/analysis_tools/granularity_study.py end to end on tiny synthetic
iNatLoc500 data: every stage runs, the report and results are written;
killed after two runs and started again, the finished runs are skipped."""
import json
import os.path as osp
import signal
import subprocess
import sys
import time

from wsol_mm.pipelines import StageManifest
from .conftest import REPO_ROOT

TOOL = osp.join(REPO_ROOT, 'tools', 'analysis_tools', 'granularity_study.py')
DEMO = osp.join(REPO_ROOT, 'configs', 'granularity', 'demo')

# 4 species in 2 genera (2 families); 4 / 2 / 2 images per species.
TINY_DATA = '''
gen = dict(num_genera=2, species_per_genus=2, genera_per_family=1,
           train_per_class=4, val_per_class=2, test_per_class=2,
           min_size=40, max_size=56, seed=0)
loader = dict(batch_size=4, num_workers=0, persistent_workers=False)
train_dataloader = dict(loader, dataset=dict(data_root={root!r}, generator=gen))
val_dataloader = dict(loader, dataset=dict(data_root={root!r}, generator=gen))
test_dataloader = dict(loader, dataset=dict(data_root={root!r}, generator=gen))
'''
TINY_RUN = '''
train_cfg = dict(max_epochs=1, val_interval=1)
default_hooks = dict(logger=dict(interval=1))
'''
STUDY = '''
study = dict(
    name='tiny', dataset='tiny synthetic iNatLoc500',
    levels=['species', 'genus'], lrs=[0.05, 0.01],
    methods=dict(CAM='cam.py'),
    data_efficiency=dict(method='CAM', levels=['genus'], num_per_class=[2],
                         seeds=[0]),
    cam_agg=dict(method='CAM', levels=['genus']),
    map_statistics=dict(method='CAM'),
    baselines=dict(Center='center.py'))
'''
FIRST_RUNS = ('cam_species_lr0.05_all_seed0', 'cam_species_lr0.01_all_seed0')


def _configs(tmp_path):
    root = str(tmp_path / 'data')
    data = TINY_DATA.format(root=root)
    (tmp_path / 'cam.py').write_text(
        f"_base_ = [{osp.join(DEMO, 'cam_r18_synthetic_inatloc.py')!r}]\n" +
        data + TINY_RUN)
    (tmp_path / 'center.py').write_text(
        "_base_ = ["
        f"{osp.join(DEMO, 'center_gaussian_synthetic_inatloc.py')!r}]\n" +
        data.replace('train_dataloader = dict(', 'unused = dict(').replace(
            'val_dataloader = dict(', 'unused_val = dict('))
    study = tmp_path / 'study.py'
    study.write_text(STUDY)
    return str(study)


def _command(study, work_dir):
    return [sys.executable, TOOL, study, '--work-dir', work_dir]


def test_study_runs_is_killed_and_resumes_then_reports(tmp_path):
    study = _configs(tmp_path)
    work_dir = str(tmp_path / 'work')
    process = subprocess.Popen(
        _command(study, work_dir), cwd=REPO_ROOT, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    deadline = time.time() + 600
    while not all(StageManifest.read(osp.join(work_dir, n)) for n in
                  FIRST_RUNS):
        assert process.poll() is None, 'the study stopped early'
        assert time.time() < deadline, 'the first runs took too long'
        time.sleep(0.5)
    process.send_signal(signal.SIGKILL)
    process.wait()
    first = {n: StageManifest.read(osp.join(work_dir, n)).run_id
             for n in FIRST_RUNS}
    assert not osp.exists(osp.join(work_dir, 'results.json'))

    done = subprocess.run(_command(study, work_dir), cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    log = done.stdout + done.stderr
    for name in FIRST_RUNS:
        assert f'Stage "{name}": finished before, skipped' in log
        assert StageManifest.read(osp.join(work_dir, name)).run_id == \
            first[name]
    assert 'Progress: 8/8 stages done' in log

    results = json.load(open(osp.join(work_dir, 'results.json')))
    assert results['num_classes'] == {'species': 4, 'genus': 2}
    assert len(results['runs']) == 7  # 4 + 2 subset runs + Center
    assert set(results['cam_agg']) == {'species', 'genus'}
    statistics = results['map_statistics']['levels']['genus']
    assert len(statistics['components']) == 8  # the val images
    for run in results['runs']:
        manifest = StageManifest.read(osp.join(work_dir, run['name']))
        assert run['test']['max_box_acc_v2'] == \
            manifest.metrics['wsol/max_box_acc_v2']
    report = open(osp.join(work_dir, 'report.md')).read()
    for figure in ('fig3_localization', 'fig3_classification',
                   'fig4_data_efficiency', 'fig5_map_statistics'):
        assert f'{figure}.png' in report
        assert open(osp.join(work_dir, f'{figure}.png'),
                    'rb').read(8) == b'\x89PNG\r\n\x1a\n'
