"""The study configs of configs/granularity/: their grids, and every run
config they name loads with a run's options (levels reach the three
splits, a val split exists for the selection)."""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.logging import MMLogger

from wsol_mm.pipelines import PipelineContext
from wsol_mm.registry import STAGES
from wsol_mm.studies import GranularityStudy

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = osp.join(REPO, 'configs', 'granularity')

# study config -> (stages, runs per method and level, first method config)
EXPECTED = {
    # 5 methods x 6 levels x 5 lrs + 4 levels x 3 sizes x 5 subsets x 5
    # lrs + 3 baselines + 5 CAM-Agg levels
    'granularity_inatloc500.py': 150 + 300 + 3 + 5,
    'granularity_cub.py': 5 * 4 * 5 + 3 + 3,
    'granularity_fgvc_aircraft.py': 5 * 3 * 5 + 3 * 3 * 5 * 5 + 2,
    # 2 x 3 x 2 + 3 x 1 x 2 x 2 + 3 + 2
    'granularity_demo.py': 12 + 12 + 3 + 2,
}


def _study(name, tmp_path):
    cfg = Config.fromfile(osp.join(CONFIGS, name))
    return GranularityStudy(cfg.study, CONFIGS, str(tmp_path))


def _build(study, name, tmp_path, spec=None):
    context = PipelineContext(str(tmp_path), Config(dict()),
                              MMLogger.get_instance('study_configs'))
    return STAGES.build(spec or study.stages[name],
                        default_args=dict(name=name, context=context))


@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_study_grid_and_run_configs(name, tmp_path):
    study = _study(name, tmp_path)
    assert len(study.stages) == EXPECTED[name]
    coarsest = study.study['levels'][-1]
    checked = set()
    for stage_name, spec in study.stages.items():
        if spec['type'] != 'StudyRunStage' or spec['config'] in checked:
            continue
        checked.add(spec['config'])
        assert osp.isfile(spec['config']), spec['config']
        run = next(r for r in study.runs if r['name'] == stage_name)
        spec = dict(spec, options=dict(spec['options'], level=coarsest))
        cfg = _build(study, stage_name, tmp_path, spec).runner_cfg()
        if run['kind'] != 'baseline':
            assert cfg.val_dataloader and cfg.val_evaluator
            assert cfg.optim_wrapper.optimizer.lr == run['lr']
        for split in ('train_dataloader', 'val_dataloader',
                      'test_dataloader'):
            dataset = (cfg.get(split) or {}).get('dataset')
            while dataset is not None and dataset.get('type') in (
                    'SubsampleDataset', ):
                dataset = dataset['dataset']
            if dataset is not None and 'level' in dataset:
                assert dataset['level'] == coarsest, (stage_name, split)
    assert len(checked) == len(study.study['methods']) + len(
        study.study['baselines'])


def test_fsl_baselines_train_on_train_fullsup(tmp_path):
    study = _study('granularity_inatloc500.py', tmp_path)
    for name in ('fsl-seg', 'fsl-det'):
        cfg = _build(study, name, tmp_path).runner_cfg()
        assert cfg.train_dataloader.dataset.split == 'val'
        assert cfg.test_dataloader.dataset.split == 'test'


def test_a_hierarchy_file_relabels_every_split(tmp_path):
    study = _study('granularity_cub.py', tmp_path)
    stage = _build(study, 'cam_genus_lr0.01_all_seed0', tmp_path)
    cfg = stage.runner_cfg()
    for split in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = cfg[split].dataset
        assert dataset.type == 'RelabelDataset'
        assert dataset.level == 'genus'
        assert dataset.hierarchy == 'data/CUB_200_2011/cub_hierarchy.txt'
        assert dataset.dataset.type == 'CUB'
