"""The label-granularity study of Cole et al. (ECCV 2022) as a resumable
pipeline of training runs, and its results.

A study config holds one dict, ``study`` (paths relative to the config's
folder)::

    study = dict(
        name='granularity_inatloc500', dataset='iNatLoc500',
        levels=['species', 'genus', ...],      # trained levels, fine -> coarse
        lrs=[1e-1, 1e-2, 1e-3, 1e-4, 1e-5],    # swept in every run (sec. 5.1)
        seeds=[0],                             # of the fixed-granularity runs
        methods=dict(CAM='../cam/cam_r50_inatloc500.py', ...),
        hierarchy=None,                        # a mapping file (CUB)
        run_options=dict(),                    # --cfg-options of every run
        select='max_box_acc_v2',               # on val (train-fullsup)
        data_efficiency=dict(method='CAM', levels=[...],
                             num_per_class=[50, 100, 200], seeds=[0, ...]),
        cam_agg=dict(method='CAM', levels=['genus', ...]),
        map_statistics=dict(method='CAM'),
        baselines={'Center': '...', 'FSL-Seg': '...', 'FSL-Det': '...'},
        paper_table2=dict(CAM=60.2, ...))      # optional, shown beside ours

Every (method, level, lr, seed) of the fixed-granularity grid, and every
(level, images per class, subset seed, lr) of the data-efficiency grid, is a
:class:`StudyRunStage`; for each lr sweep the run with the best val
``select`` metric is kept and its test numbers are reported. CAM-Agg is a
:class:`CAMAggStage` per aggregation level over the leaf-level lr sweep of
its method. Baselines are trained (or only tested) once, with their own
recipe.
"""
import copy
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Tuple

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from wsol_mm.datasets import LabelHierarchy
from wsol_mm.pipelines import SplitPipeline, StageManifest, best_run
from wsol_mm.registry import DATASETS
from .granularity_report import write_granularity_report
from .method_comparison import mean_and_std

RESULTS_FILE = 'results.json'
STUDY_KEYS = ('name', 'dataset', 'levels', 'lrs', 'seeds', 'methods',
              'hierarchy', 'run_options', 'select', 'data_efficiency',
              'cam_agg', 'map_statistics', 'baselines', 'paper_table2')
REQUIRED_KEYS = ('levels', 'lrs', 'methods')


def _number(value: float) -> str:
    """``0.001`` -> ``'0.001'``, ``1e-05`` -> ``'1e-05'``."""
    return f'{value:g}'


def run_name(method: str, level: str, lr: float,
             num_per_class: Optional[int], seed: int) -> str:
    """The stage name of one run, e.g. ``cam_genus_lr0.01_all_seed0``."""
    subset = 'all' if num_per_class is None else f'n{num_per_class}'
    return f'{method.lower()}_{level}_lr{_number(lr)}_{subset}_seed{seed}'


def check_study(study: dict, where: str) -> dict:
    """``study`` with defaults, or an error naming the key at fault."""
    if not isinstance(study, dict):
        raise TypeError(f'{where}: `study` must be a dict, got '
                        f'{type(study).__name__}')
    unknown = sorted(set(study) - set(STUDY_KEYS))
    if unknown:
        raise KeyError(f'{where}: unknown study keys {unknown}; known: '
                       f'{", ".join(STUDY_KEYS)}')
    missing = [key for key in REQUIRED_KEYS if not study.get(key)]
    if missing:
        raise KeyError(f'{where}: study needs {", ".join(missing)}')
    study = dict(dict(name='study', dataset='', seeds=[0], hierarchy=None,
                      run_options={}, select='max_box_acc_v2',
                      baselines={}), **study)
    for part in ('data_efficiency', 'cam_agg', 'map_statistics'):
        spec = study.get(part)
        if spec and spec.get('method') not in study['methods']:
            raise KeyError(f'{where}: study.{part}.method '
                           f'{spec.get("method")!r} is not one of the '
                           f'methods {sorted(study["methods"])}')
        for level in (spec or {}).get('levels', ()):
            if level not in study['levels'] and part != 'cam_agg':
                raise ValueError(f'{where}: study.{part}.levels has '
                                 f'{level!r}, not a trained level '
                                 f'{study["levels"]}')
    return study


class GranularityStudy:
    """The runs of a study config and what they mean.

    Args:
        study (dict): The config's ``study`` (see the module docstring).
        config_dir (str): The folder its paths are relative to.
        work_dir (str): Where the runs go, one folder each.
        cfg_options (dict, optional): Options of every run (after
            ``run_options``), e.g. ``data_root``.
    """

    def __init__(self, study: dict, config_dir: str, work_dir: str,
                 cfg_options: Optional[dict] = None):
        self.study = check_study(study, config_dir)
        self.config_dir = config_dir
        self.work_dir = osp.abspath(work_dir)
        self.options = {**self.study['run_options'], **(cfg_options or {})}
        self.runs: List[dict] = []
        self.stages: Dict[str, dict] = {}
        self._expand()

    # ------------------------------------------------------------------ #
    # the grid
    # ------------------------------------------------------------------ #
    def _path(self, path: str) -> str:
        return osp.normpath(osp.join(self.config_dir, path))

    def _add_run(self, kind: str, method: str, config: str, level: str,
                 lr: Optional[float], num_per_class: Optional[int],
                 seed: int, **stage) -> str:
        options = dict(self.options, level=level)
        options['randomness.seed'] = seed
        if lr is not None:
            options['optim_wrapper.optimizer.lr'] = lr
        if num_per_class is not None:
            options.update(subsample_per_class=num_per_class,
                           subsample_seed=seed)
        name = run_name(method, level, lr, num_per_class, seed) if \
            lr is not None else method.lower()
        self.stages[name] = dict(
            type='StudyRunStage', config=self._path(config), options=options,
            hierarchy=self.study['hierarchy'], **stage)
        self.runs.append(dict(name=name, kind=kind, method=method,
                              level=level, lr=lr,
                              num_per_class=num_per_class, seed=seed))
        return name

    def _expand(self) -> None:
        study = self.study
        statistics = (study.get('map_statistics') or {}).get('method')
        for method, config in study['methods'].items():
            for level in study['levels']:
                for seed in study['seeds']:
                    for lr in study['lrs']:
                        self._add_run('fixed', method, config, level, lr,
                                      None, seed,
                                      map_statistics=method == statistics)
        efficiency = study.get('data_efficiency')
        if efficiency:
            config = study['methods'][efficiency['method']]
            for level in efficiency['levels']:
                for size in efficiency['num_per_class']:
                    for seed in efficiency['seeds']:
                        for lr in study['lrs']:
                            self._add_run('subset', efficiency['method'],
                                          config, level, lr, size, seed)
        leaf = study['levels'][0]
        for name, config in study['baselines'].items():
            self._add_run('baseline', name, config, leaf, None, None,
                          study['seeds'][0], evaluate_val=False)
        aggregation = study.get('cam_agg')
        if aggregation:
            candidates = [
                run_name(aggregation['method'], leaf, lr, None,
                         study['seeds'][0]) for lr in study['lrs']
            ]
            for level in aggregation['levels']:
                self.stages[f'cam_agg_{level}'] = dict(
                    type='CAMAggStage', candidates=candidates, level=level,
                    select=self.select_key)

    @property
    def select_key(self) -> str:
        return f'val/wsol/{self.study["select"]}'

    def pipeline_cfg(self) -> Config:
        return Config(dict(work_dir=self.work_dir, default_scope='wsol_mm',
                           stages=copy.deepcopy(self.stages)))

    # ------------------------------------------------------------------ #
    # results
    # ------------------------------------------------------------------ #
    def _dataset(self, loader: str):
        """The ``loader`` dataset of the first method's config, with the
        study's data options."""
        config = self._path(next(iter(self.study['methods'].values())))
        cfg = Config.fromfile(config)
        init_default_scope(cfg.get('default_scope', 'wsol_mm'))
        dataset = cfg[loader].dataset
        for key in ('data_root', 'metadata_root'):
            if key in self.options and key in dataset:
                dataset[key] = self.options[key]
        return DATASETS.build(dataset)

    def _num_classes(self) -> Dict[str, int]:
        """Classes per level, from the label hierarchy of the first
        method's test set."""
        if self.study['hierarchy'] is not None:
            hierarchy = LabelHierarchy.from_file(self.study['hierarchy'])
        else:
            hierarchy = LabelHierarchy.from_dataset(
                self._dataset('test_dataloader'))
        return {level: hierarchy.num_classes(level)
                for level in self.study['levels']}

    def results(self, manifests: Dict[str, StageManifest]) -> dict:
        """Every number of the study, in the layout of
        :func:`write_granularity_report`."""
        study = self.study
        metrics = {name: m.metrics for name, m in manifests.items()}
        runs = [self._run_record(run, metrics[run['name']])
                for run in self.runs]
        self._select(runs, metrics)
        results = dict(
            study=study['name'], dataset=study['dataset'],
            levels=list(study['levels']), num_classes=self._num_classes(),
            lrs=list(study['lrs']),
            selection=f'best val (train-fullsup) {study["select"]} over the '
            'learning rates of each run; its test numbers are reported',
            runs=runs, fixed_granularity=self._fixed(runs))
        leaf = study['levels'][0]
        if study.get('cam_agg'):
            method = study['cam_agg']['method']
            results['cam_agg'] = {
                level: dict(
                    max_box_acc_v2=metrics[f'cam_agg_{level}'].get(
                        'wsol/max_box_acc_v2'),
                    selected=manifests[f'cam_agg_{level}'].extra.get(
                        'selected'))
                for level in study['cam_agg']['levels']
            }
            results['cam_agg'][leaf] = dict(
                max_box_acc_v2=results['fixed_granularity'][method][leaf][
                    'max_box_acc_v2'])
        if study.get('data_efficiency'):
            results['data_efficiency'] = self._efficiency(
                runs, results['fixed_granularity'])
            method = study['data_efficiency']['method']
            results['species_reference'] = results['fixed_granularity'][
                method][leaf]['max_box_acc_v2']
        if study.get('map_statistics'):
            results['map_statistics'] = self._map_statistics(runs, manifests)
        results['baselines'] = {
            run['method']: _table_metrics(run['test'])
            for run in runs if run['kind'] == 'baseline'
        }
        if study.get('paper_table2'):
            results['paper_table2'] = dict(study['paper_table2'])
        return results

    @staticmethod
    def _run_record(run: dict, metrics: dict) -> dict:
        val = {k[len('val/wsol/'):]: v for k, v in metrics.items()
               if k.startswith('val/wsol/')}
        test = {k[len('wsol/'):]: v for k, v in metrics.items()
                if k.startswith('wsol/')}
        return dict(run, val=val, test=test, selected=False)

    def _select(self, runs: List[dict], metrics: dict) -> None:
        """Mark the val-best run of every learning-rate sweep."""
        sweeps: Dict[Tuple, List[str]] = {}
        for run in runs:
            if run['kind'] == 'baseline':
                run['selected'] = True
                continue
            key = (run['kind'], run['method'], run['level'],
                   run['num_per_class'], run['seed'])
            sweeps.setdefault(key, []).append(run['name'])
        chosen = {best_run(names, metrics, self.select_key)
                  for names in sweeps.values()}
        for run in runs:
            run['selected'] = run['selected'] or run['name'] in chosen

    def _fixed(self, runs: List[dict]) -> dict:
        """Per method and level: the selected runs' test numbers (the mean
        over seeds)."""
        table: Dict[str, dict] = {}
        for method in self.study['methods']:
            table[method] = {}
            for level in self.study['levels']:
                chosen = [r for r in runs if r['selected'] and
                          r['kind'] == 'fixed' and r['method'] == method and
                          r['level'] == level]
                entry = dict(lr=chosen[0]['lr'], seeds=len(chosen))
                for key in ('max_box_acc_v2', 'top1_cls', 'pxap',
                            'gt_known_loc'):
                    values = [r['test'][key] for r in chosen
                              if r['test'].get(key) is not None]
                    entry[key] = mean_and_std(values)[0] if values else None
                table[method][level] = entry
        return table

    def _efficiency(self, runs: List[dict], fixed: dict) -> dict:
        spec = self.study['data_efficiency']
        levels = {}
        for level in spec['levels']:
            subsets = {}
            for size in spec['num_per_class']:
                chosen = [r for r in runs if r['selected'] and
                          r['kind'] == 'subset' and r['level'] == level and
                          r['num_per_class'] == size]
                values = [r['test']['max_box_acc_v2'] for r in chosen]
                mean, std = mean_and_std(values)
                subsets[str(size)] = dict(
                    mean=mean, std=std, values=values,
                    seeds=[r['seed'] for r in chosen])
            levels[level] = dict(
                full=fixed[spec['method']][level]['max_box_acc_v2'],
                subsets=subsets)
        return dict(method=spec['method'], levels=levels,
                    num_train_images=len(self._dataset('train_dataloader')))

    def _map_statistics(self, runs: List[dict],
                        manifests: Dict[str, StageManifest]) -> dict:
        """Fig. 5 from the first selected full-data run of each level."""
        method = self.study['map_statistics']['method']
        levels = {}
        for level in self.study['levels']:
            run = next(r for r in runs if r['selected'] and
                       r['kind'] == 'fixed' and r['method'] == method and
                       r['level'] == level)
            with open(manifests[run['name']].extra['map_statistics'],
                      encoding='utf-8') as f:
                record = json.load(f)
            levels[level] = dict(
                run=run['name'], threshold=record['threshold'],
                box_area_ratio_median=record['box_area_ratio_median'],
                in_out_ratio_median=record['in_out_ratio_median'],
                components=[image['components']
                            for image in record['images']])
        return dict(method=method, split='val (train-fullsup)',
                    levels=levels)


def _table_metrics(test: dict) -> dict:
    return dict(max_box_acc_v2=test.get('max_box_acc_v2'),
                gt_known_loc=test.get('gt_known_loc'),
                pxap=test.get('pxap'))


def run_study(config: str, work_dir: str, cfg_options: Optional[dict] = None,
              rank: int = 0, world_size: int = 1) -> Optional[str]:
    """Run (or resume) the study of ``config`` in ``work_dir``; the first
    process then writes ``results.json`` and ``report.md`` there and
    returns the report's path (the others return None)."""
    cfg = Config.fromfile(config)
    if 'study' not in cfg:
        raise KeyError(f'{config} has no `study = dict(...)`')
    study = GranularityStudy(cfg.study, osp.dirname(osp.abspath(config)),
                             work_dir, cfg_options)
    pipeline = SplitPipeline(study.pipeline_cfg(), rank, world_size)
    pipeline.logger.info(f'Study "{study.study["name"]}": '
                         f'{len(study.stages)} stages')
    pipeline.run()
    if rank != 0:
        return None
    results = study.results(pipeline.context.manifests)
    path = osp.join(study.work_dir, RESULTS_FILE)
    tmp = f'{path}.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(results, f, indent=2)
    os.replace(tmp, path)
    report = write_granularity_report(results, study.work_dir)
    pipeline.logger.info(f'Study results: {path}; report: {report}')
    return report


def process_share(launcher: str, environ) -> Tuple[int, int]:
    """``(rank, world_size)`` of this process under ``launcher``
    (``'none'``, ``'pytorch'``: ``RANK`` / ``WORLD_SIZE``, ``'slurm'``:
    ``SLURM_PROCID`` / ``SLURM_NTASKS``); on a GPU machine the process
    takes the GPU of its local rank."""
    names = dict(none=None, pytorch=('RANK', 'WORLD_SIZE', 'LOCAL_RANK'),
                 slurm=('SLURM_PROCID', 'SLURM_NTASKS', 'SLURM_LOCALID'))
    if launcher not in names:
        raise ValueError(f'launcher must be one of {sorted(names)}, got '
                         f'{launcher!r}')
    if names[launcher] is None:
        return 0, 1
    rank_key, world_key, local_key = names[launcher]
    missing = [k for k in (rank_key, world_key) if k not in environ]
    if missing:
        raise KeyError(f'--launcher {launcher} needs the environment '
                       f'variables {", ".join(missing)} (start the tool '
                       'with the launcher)')
    if torch.cuda.is_available():
        torch.cuda.set_device(int(environ.get(local_key, 0)))
    return int(environ[rank_key]), int(environ[world_key])
