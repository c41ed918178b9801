"""Train and test several configs on the same data; one table of metrics.

Each (config, seed) run is a subprocess of ``tools/train.py`` and then
``tools/test.py`` (MMEngine keeps loggers, message hubs and visualizers per
experiment in global state) in ``<work_dir>/<config name>/seed_<s>/``; its
metrics end in ``metrics.json`` there. A run with that file is reused; an
interrupted training resumes from its last checkpoint.
"""
import argparse
import copy
import glob
import json
import os
import os.path as osp
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.config import Config, DictAction

from wsol_mm.pipelines import StageManifest
from wsol_mm.utils.config import apply_common_overrides

# Table columns: (title, WSOLMetric key without its prefix).
COLUMNS = (('Top-1 Cls', 'top1_cls'), ('GT-known Loc', 'gt_known_loc'),
           ('MaxBoxAcc', 'max_box_acc'), ('MaxBoxAccV2', 'max_box_acc_v2'),
           ('PxAP', 'pxap'))
# Shown only when some method reports it (only datasets with masks do).
OPTIONAL_COLUMNS = ('pxap', )
METRICS_FILE = 'metrics.json'
# The config and options a run was made with (a reused run is compared).
SETTINGS_FILE = 'run_settings.json'
STD_NAME = 'sample standard deviation (ddof=1) over the seeds'
# Runner parts that --cfg-options must not create in a config that has none
# (MMEngine wants e.g. train_dataloader, train_cfg and optim_wrapper all set
# or all None: `train_cfg.max_epochs=1` would break the Center baseline).
RUNNER_PARTS = ('train_dataloader', 'train_cfg', 'optim_wrapper',
                'param_scheduler', 'auto_scale_lr', 'val_dataloader',
                'val_cfg', 'val_evaluator')
# Entries of MMEngine's test log that are timings, not metrics.
TIMING_KEYS = ('time', 'data_time')


class RunFailed(RuntimeError):
    """A training or test subprocess failed; ``log`` is its output."""

    def __init__(self, message: str, log: Optional[str] = None):
        super().__init__(message)
        self.log = log


def parse_cfg_options(options: Sequence[str]) -> dict:
    """``['a.b=1', ...]`` as MMEngine's ``--cfg-options`` reads them."""
    for option in options:
        if '=' not in option:
            raise ValueError(f'--cfg-options: {option!r} is not KEY=VALUE')
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    if not options:
        return {}
    return parser.parse_args(['--cfg-options', *options]).cfg_options


def short_metrics(metrics: Dict[str, object]) -> Dict[str, object]:
    """``{'wsol/top1_cls': v}`` -> ``{'top1_cls': v}``; a name under the
    ``wsol/`` prefix wins over the same name under another prefix."""
    short = {}
    for key in sorted(metrics, key=lambda k: k.startswith('wsol/')):
        short[key.rsplit('/', 1)[-1]] = metrics[key]
    return short


def mean_and_std(values: Sequence[float]):
    """Mean and sample standard deviation (ddof=1; None for one value)."""
    values = np.asarray(values, dtype=np.float64)
    std = float(values.std(ddof=1)) if len(values) > 1 else None
    return float(values.mean()), std


@dataclass
class Method:
    """One config of the comparison."""
    name: str
    config: str
    test_only: bool = False
    multi_stage: bool = False
    last_stage: Optional[str] = None
    options: List[str] = field(default_factory=list)  # --cfg-options
    error: Optional[str] = None  # the config could not be loaded


def _write_json(path: str, data) -> None:
    """Write atomically: a reader sees no file or the whole file."""
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(data, f, indent=2)
    os.replace(tmp, path)


def _read_json(path: str) -> Optional[dict]:
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


class MethodComparison:
    """Train and test each config for seeds ``0 .. seeds - 1``; summarise.

    A config without ``train_dataloader`` (the Center baseline) is only
    tested, once (``seed_0``: nothing it computes depends on the seed). A
    multi-stage config (``stages``) is run by ``tools/train.py``; its
    metrics are those of its last stage (SPOL's, ISIC's ``evaluate``).
    ``cfg_options`` apply to every config, as ``--cfg-options``, except
    options for a runner part a config does not have (e.g.
    ``train_cfg.max_epochs`` for a test-only config; see ``RUNNER_PARTS``).
    ``randomness.seed`` is set per run.

    Args:
        configs (sequence of str): Config files; their file names (without
            ``.py``) name the methods and must differ.
        work_dir (str): Where the runs and ``comparison.md/.json`` go.
        tools_dir (str): The folder of ``train.py`` and ``test.py``.
        seeds (int): Number of seeds per trained config. Default: 1.
        cfg_options (sequence of str): ``KEY=VALUE`` options.
        python (str): The interpreter of the subprocesses.
        log (callable): Where progress lines go. Default: ``print``.
    """

    def __init__(self, configs: Sequence[str], work_dir: str, tools_dir: str,
                 seeds: int = 1, cfg_options: Sequence[str] = (),
                 python: str = 'python', log=print):
        if not configs:
            raise ValueError('configs: give at least one config file')
        if not isinstance(seeds, int) or seeds < 1:
            raise ValueError(
                f'seeds must be a positive integer, got {seeds!r}')
        self.options = list(cfg_options)
        if any(key.split('.')[0] == 'randomness'
               for key in parse_cfg_options(self.options)):
            raise ValueError('--cfg-options: randomness is set per run '
                             '(randomness.seed = 0 .. seeds - 1); use '
                             '--seeds instead')
        names = {}
        for config in configs:
            name = osp.splitext(osp.basename(config))[0]
            if name in names:
                raise ValueError(f'configs {names[name]} and {config} have '
                                 f'the same name "{name}": their runs would '
                                 'share a folder')
            names[name] = config
        self.work_dir = osp.abspath(work_dir)
        self.tools_dir = tools_dir
        self.seeds = seeds
        self.python = python
        self.log = log
        self.methods = [self._load(name, config)
                        for name, config in names.items()]

    def _load(self, name: str, config: str) -> Method:
        """Read ``config``: what to run and with which options."""
        config = osp.abspath(config)
        try:
            raw = Config.fromfile(config)
            multi_stage = 'stages' in raw
            options = self.options if multi_stage else [
                o for o in self.options if self._key_root(o) not in
                RUNNER_PARTS or raw.get(self._key_root(o)) is not None]
            cfg = copy.deepcopy(raw)
            apply_common_overrides(cfg, parse_cfg_options(options))
        except Exception as error:  # reported in the table, others go on
            return Method(name, config, error=f'{type(error).__name__}: '
                          f'{error}')
        dropped = [o for o in self.options if o not in options]
        if dropped:
            self.log(f'{name}: options left out (the config has no such '
                     f'runner part): {" ".join(dropped)}')
        stages = [k for k, v in (cfg.get('stages') or {}).items()
                  if v is not None]
        return Method(
            name, config,
            test_only=not multi_stage and raw.get('train_dataloader') is None,
            multi_stage=multi_stage,
            last_stage=stages[-1] if stages else None, options=options)

    @staticmethod
    def _key_root(option: str) -> str:
        return option.split('=', 1)[0].split('.', 1)[0]

    def _runs(self) -> List[tuple]:
        return [(method, seed) for method in self.methods
                for seed in range(1 if method.test_only else self.seeds)]

    def run(self) -> dict:
        """Run (or reuse) every run, write and return the summary."""
        start = time.time()
        runs = self._runs()
        results = {m.name: {} for m in self.methods}
        failures = {m.name: [] for m in self.methods}
        for index, (method, seed) in enumerate(runs, 1):
            run_start = time.time()
            try:
                if method.error:
                    raise RunFailed(f'config not loaded: {method.error}')
                metrics, what = self._run_one(method, seed)
                results[method.name][seed] = metrics
                status = what if what.startswith('reused') else \
                    f'{what} in {time.time() - run_start:.1f} s'
            except RunFailed as failure:
                failures[method.name].append(
                    dict(seed=seed, error=str(failure), log=failure.log))
                status = f'FAILED ({failure})' + (
                    f', log: {failure.log}' if failure.log else '')
            self.log(f'[{index}/{len(runs)}] {method.name} seed {seed}: '
                     f'{status}; elapsed {time.time() - start:.1f} s')
        summary = self._summary(results, failures)
        os.makedirs(self.work_dir, exist_ok=True)
        table = format_table(summary)
        with open(osp.join(self.work_dir, 'comparison.md'), 'w',
                  encoding='utf-8') as f:
            f.write(table + '\n')
        _write_json(osp.join(self.work_dir, 'comparison.json'), summary)
        self.log(table)
        for method in summary['methods']:
            for failure in method['failed']:
                self.log(f'Failed: {method["name"]} seed {failure["seed"]}: '
                         f'{failure["error"]}' +
                         (f' (log: {failure["log"]})' if failure['log']
                          else ''))
        return summary

    def run_dir(self, method: Method, seed: int) -> str:
        return osp.join(self.work_dir, method.name, f'seed_{seed}')

    def _run_one(self, method: Method, seed: int):
        """The metrics of one run and how they were obtained."""
        run_dir = self.run_dir(method, seed)
        metrics_path = osp.join(run_dir, METRICS_FILE)
        settings_path = osp.join(run_dir, SETTINGS_FILE)
        seed_option = f'randomness.seed={seed}'
        settings = dict(config=method.config,
                        cfg_options=[*method.options, seed_option])
        metrics = _read_json(metrics_path)
        if metrics is not None:
            if _read_json(settings_path) != settings:
                return metrics, (f'reused, made with other settings (see '
                                 f'{SETTINGS_FILE}; delete {run_dir} to '
                                 'redo it)')
            return metrics, 'reused'
        os.makedirs(run_dir, exist_ok=True)
        _write_json(settings_path, settings)
        checkpoint, what = None, 'tested'
        if not method.test_only:
            resume = self._started(method, run_dir)
            self._call(osp.join(run_dir, 'train.log'), 'training', [
                'train.py', method.config, '--work-dir', run_dir,
                *(['--resume'] if resume else []), '--cfg-options',
                *method.options, seed_option])
            what = ('resumed, trained' if resume else 'trained') + \
                ('' if method.multi_stage else ' and tested')
        if method.multi_stage:
            metrics = self._last_stage_metrics(method, run_dir)
        else:
            if not method.test_only:
                checkpoint = self._last_checkpoint(run_dir)
            metrics = self._test(method, run_dir, checkpoint, seed_option)
        _write_json(metrics_path, metrics)
        return metrics, what

    @staticmethod
    def _started(method: Method, run_dir: str) -> bool:
        """Whether an earlier training left something to resume from (not
        passing --resume otherwise keeps a config's own ``load_from``)."""
        if method.multi_stage:
            return any(osp.isdir(p) for p in
                       glob.glob(osp.join(run_dir, '*', '')))
        return osp.exists(osp.join(run_dir, 'last_checkpoint'))

    def _call(self, log_path: str, what: str, args: List[str]) -> None:
        """Run ``tools/<args[0]>`` with its output appended to
        ``log_path``; a non-zero exit raises :class:`RunFailed`."""
        command = [self.python, osp.join(self.tools_dir, args[0]), *args[1:]]
        with open(log_path, 'a', encoding='utf-8') as log:
            log.write(f'$ {subprocess.list2cmdline(command)}\n')
            log.flush()
            code = subprocess.call(command, stdout=log,
                                   stderr=subprocess.STDOUT)
        if code != 0:
            raise RunFailed(f'{what} exited with {code}', log_path)

    @staticmethod
    def _last_checkpoint(run_dir: str) -> str:
        """The checkpoint MMEngine's CheckpointHook saved last."""
        try:
            with open(osp.join(run_dir, 'last_checkpoint'),
                      encoding='utf-8') as f:
                checkpoint = f.read().strip()
        except OSError:
            checkpoint = ''
        if not checkpoint or not osp.exists(checkpoint):
            raise RunFailed(f'training left no checkpoint in {run_dir} '
                            '(last_checkpoint missing or stale)',
                            osp.join(run_dir, 'train.log'))
        return checkpoint

    def _test(self, method: Method, run_dir: str, checkpoint: Optional[str],
              seed_option: str) -> dict:
        """``tools/test.py`` on the test split in ``run_dir/test``; the
        metrics MMEngine's LoggerHook dumped there."""
        test_dir = osp.join(run_dir, 'test')
        shutil.rmtree(test_dir, ignore_errors=True)
        log_path = osp.join(run_dir, 'test.log')
        self._call(log_path, 'test', [
            'test.py', method.config, *([checkpoint] if checkpoint else []),
            '--work-dir', test_dir, '--cfg-options', *method.options,
            seed_option])
        dumps = [p for p in glob.glob(osp.join(test_dir, '*', '*.json'))
                 if osp.basename(p) == osp.basename(osp.dirname(p)) + '.json']
        if len(dumps) != 1:
            raise RunFailed(f'test wrote {len(dumps)} metric logs in '
                            f'{test_dir}, expected 1', log_path)
        metrics = _read_json(dumps[0]) or {}
        return {k: v for k, v in metrics.items() if k not in TIMING_KEYS}

    @staticmethod
    def _last_stage_metrics(method: Method, run_dir: str) -> dict:
        manifest = StageManifest.read(osp.join(run_dir, method.last_stage))
        if manifest is None or not manifest.metrics:
            raise RunFailed(f'the last stage "{method.last_stage}" left no '
                            'metrics in its stage_manifest.json',
                            osp.join(run_dir, 'train.log'))
        return dict(manifest.metrics)

    def _summary(self, results: Dict[str, dict],
                 failures: Dict[str, list]) -> dict:
        methods = []
        for method in self.methods:
            runs = {str(seed): metrics
                    for seed, metrics in sorted(results[method.name].items())}
            short = [short_metrics(m) for m in runs.values()]
            mean, std = {}, {}
            for _, key in COLUMNS:
                values = [m[key] for m in short
                          if isinstance(m.get(key), (int, float))]
                if values and len(values) == len(short):
                    mean[key], std[key] = mean_and_std(values)
            methods.append(dict(
                name=method.name, config=method.config,
                test_only=method.test_only, num_runs=len(runs),
                mean=mean, std=std, runs=runs,
                failed=failures[method.name]))
        return dict(seeds=self.seeds, std=STD_NAME, cfg_options=self.options,
                    work_dir=self.work_dir, methods=methods)


def _cell(method: dict, key: str) -> str:
    if key not in method['mean']:
        return '-'
    mean, std = method['mean'][key], method['std'][key]
    return f'{mean:.2f}' if std is None else f'{mean:.2f} ± {std:.2f}'


def format_table(summary: dict) -> str:
    """One aligned markdown row per method: ``mean ± std`` with several
    runs (sample std, ddof=1), '-' for a metric a method lacks."""
    methods = summary['methods']
    columns = [(title, key) for title, key in COLUMNS
               if key not in OPTIONAL_COLUMNS
               or any(key in m['mean'] for m in methods)]
    header = ['Method', 'Seeds'] + [title for title, _ in columns]
    rows = []
    for method in methods:
        seeds = str(method['num_runs'])
        if method['failed']:
            seeds += f' ({len(method["failed"])} failed)'
        elif method['test_only']:
            seeds += ' (test only)'
        rows.append([method['name'], seeds] +
                    [_cell(method, key) for _, key in columns])
    widths = [max(len(row[i]) for row in [header] + rows)
              for i in range(len(header))]

    def line(cells):
        return '| ' + ' | '.join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths))) + ' |'

    rule = '|' + '|'.join(
        ':' + '-' * (w + 1) if i == 0 else '-' * (w + 1) + ':'
        for i, w in enumerate(widths)) + '|'
    note = (f'Mean ± {summary["std"]} where a method has several runs; '
            "'-': the method does not report the metric.")
    return '\n'.join([line(header), rule] + [line(r) for r in rows] +
                     ['', note])
