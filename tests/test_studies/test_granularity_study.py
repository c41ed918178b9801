"""GranularityStudy: the grid, the learning-rate selection, the results
layout, subsampling at the training level (no training)."""
import os.path as osp
from collections import Counter

import pytest
from mmengine.config import Config
from mmengine.logging import MMLogger

from wsol_mm.pipelines import PipelineContext, StageManifest
from wsol_mm.registry import DATASETS, STAGES
from wsol_mm.studies import GranularityStudy, process_share, run_name

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = osp.join(REPO, 'configs', 'granularity')


def _study(**changes):
    study = dict(
        name='t', levels=['species', 'genus'], lrs=[0.1, 0.01],
        methods=dict(CAM='demo/cam_r18_synthetic_inatloc.py'),
        data_efficiency=dict(method='CAM', levels=['genus'],
                             num_per_class=[20], seeds=[0, 1]),
        cam_agg=dict(method='CAM', levels=['genus']),
        baselines={'Center': 'demo/center_gaussian_synthetic_inatloc.py'})
    study.update(changes)
    return study


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    return str(tmp_path_factory.mktemp('inatloc'))


def test_grid_names_options_and_order(tmp_path, data_root):
    study = GranularityStudy(_study(), DEMO, str(tmp_path),
                             dict(data_root=data_root))
    names = list(study.stages)
    assert names[:4] == [
        'cam_species_lr0.1_all_seed0', 'cam_species_lr0.01_all_seed0',
        'cam_genus_lr0.1_all_seed0', 'cam_genus_lr0.01_all_seed0']
    assert names[4:8] == [
        'cam_genus_lr0.1_n20_seed0', 'cam_genus_lr0.01_n20_seed0',
        'cam_genus_lr0.1_n20_seed1', 'cam_genus_lr0.01_n20_seed1']
    assert names[8:] == ['center', 'cam_agg_genus']
    run = study.stages['cam_genus_lr0.01_n20_seed1']
    assert run['options'] == {
        'data_root': data_root, 'level': 'genus', 'randomness.seed': 1,
        'optim_wrapper.optimizer.lr': 0.01, 'subsample_per_class': 20,
        'subsample_seed': 1}
    assert study.stages['cam_agg_genus']['candidates'] == names[:2]
    assert study.stages['center']['evaluate_val'] is False
    assert run_name('HaS', 'family', 1e-05, 50, 3) == \
        'has_family_lr1e-05_n50_seed3'


def test_bad_study_keys_are_named(tmp_path):
    with pytest.raises(KeyError, match=r"unknown study keys \['lr'\]"):
        GranularityStudy(_study(lr=1), DEMO, str(tmp_path))
    with pytest.raises(KeyError, match='study needs lrs'):
        GranularityStudy(_study(lrs=[]), DEMO, str(tmp_path))
    with pytest.raises(KeyError, match='data_efficiency.method'):
        GranularityStudy(
            _study(data_efficiency=dict(method='HaS', levels=['genus'],
                                        num_per_class=[5], seeds=[0])),
            DEMO, str(tmp_path))
    with pytest.raises(ValueError, match="'order', not a trained level"):
        GranularityStudy(
            _study(data_efficiency=dict(method='CAM', levels=['order'],
                                        num_per_class=[5], seeds=[0])),
            DEMO, str(tmp_path))


def _manifest(name, val, test, extra=None):
    return StageManifest(
        stage=name, fingerprint='f', metrics={
            **{f'val/wsol/{k}': v for k, v in val.items()},
            **{f'wsol/{k}': v for k, v in test.items()}}, extra=extra or {})


def test_lr_selection_reports_the_test_number_of_the_val_best_run(
        tmp_path, data_root):
    study = GranularityStudy(_study(), DEMO, str(tmp_path),
                             dict(data_root=data_root))
    # val and test disagree on purpose: the val-best run must be reported.
    scores = {
        'cam_species_lr0.1_all_seed0': (50, 90, 70),
        'cam_species_lr0.01_all_seed0': (60, 40, 80),
        'cam_genus_lr0.1_all_seed0': (75, 30, 95),
        'cam_genus_lr0.01_all_seed0': (70, 99, 90),
        'cam_genus_lr0.1_n20_seed0': (10, 11, 0),
        'cam_genus_lr0.01_n20_seed0': (20, 21, 0),
        'cam_genus_lr0.1_n20_seed1': (30, 33, 0),
        'cam_genus_lr0.01_n20_seed1': (5, 99, 0),
    }
    manifests = {
        name: _manifest(name, dict(max_box_acc_v2=v),
                        dict(max_box_acc_v2=t, top1_cls=c))
        for name, (v, t, c) in scores.items()}
    manifests['center'] = _manifest('center', {}, dict(max_box_acc_v2=22.5))
    manifests['cam_agg_genus'] = _manifest(
        'cam_agg_genus', {}, dict(max_box_acc_v2=35.0),
        extra=dict(selected='cam_species_lr0.01_all_seed0'))
    results = study.results(manifests)
    fixed = results['fixed_granularity']['CAM']
    assert fixed['species']['max_box_acc_v2'] == 40
    assert fixed['species']['lr'] == 0.01
    assert fixed['species']['top1_cls'] == 80
    assert fixed['genus']['max_box_acc_v2'] == 30
    assert fixed['genus']['lr'] == 0.1
    subsets = results['data_efficiency']['levels']['genus']
    assert subsets['full'] == 30
    assert subsets['subsets']['20']['values'] == [21, 33]
    assert subsets['subsets']['20']['mean'] == 27
    assert subsets['subsets']['20']['std'] == pytest.approx(8.48528137)
    assert results['species_reference'] == 40
    assert results['data_efficiency']['num_train_images'] == 240
    assert results['cam_agg'] == {
        'genus': dict(max_box_acc_v2=35.0,
                      selected='cam_species_lr0.01_all_seed0'),
        'species': dict(max_box_acc_v2=40)}
    assert results['baselines']['Center']['max_box_acc_v2'] == 22.5
    assert results['num_classes'] == {'species': 6, 'genus': 3}
    selected = {r['name'] for r in results['runs'] if r['selected']}
    assert selected == {
        'cam_species_lr0.01_all_seed0', 'cam_genus_lr0.1_all_seed0',
        'cam_genus_lr0.01_n20_seed0', 'cam_genus_lr0.1_n20_seed1', 'center'}


def test_subsampling_counts_images_per_class_of_the_training_level(
        tmp_path, data_root):
    study = GranularityStudy(_study(), DEMO, str(tmp_path),
                             dict(data_root=data_root))
    context = PipelineContext(str(tmp_path), Config(dict()),
                              MMLogger.get_instance('study_test'))
    stage = STAGES.build(
        study.stages['cam_genus_lr0.1_n20_seed1'],
        default_args=dict(name='cam_genus_lr0.1_n20_seed1',
                          context=context))
    cfg = stage.runner_cfg()
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    labels = [dataset.get_data_info(i)['gt_label']
              for i in range(len(dataset))]
    # 40 images per species, 2 species per genus: 20 of 80 per genus.
    assert Counter(labels) == {0: 20, 1: 20, 2: 20}
    assert dataset.metainfo['classes'] == ('Corvus', 'Pica', 'Parus')
    for split in ('val_dataloader', 'test_dataloader'):
        assert cfg[split].dataset.level == 'genus'
    assert cfg.optim_wrapper.optimizer.lr == 0.1
    assert cfg.randomness.seed == 1


def test_process_share():
    assert process_share('none', {}) == (0, 1)
    assert process_share('pytorch', dict(RANK='3', WORLD_SIZE='4')) == (3, 4)
    assert process_share('slurm', dict(SLURM_PROCID='1',
                                       SLURM_NTASKS='2')) == (1, 2)
    with pytest.raises(KeyError, match='WORLD_SIZE'):
        process_share('pytorch', dict(RANK='0'))
