"""Images/s of tools/train.py's training loop against a plain PyTorch loop.

    python tools/analysis_tools/benchmark_training.py [CONFIG]
        [--warmup 3] [--iters 20] [--repeats 3] [--amp] [--threads N]
        [--target 0.95] [--out results.json] [--cfg-options KEY=VALUE ...]

Three runs, alternated (data, plain, ours, data, plain, ours, ...) so that
drift of the machine's speed hits all of them alike; each reports the
median over ``--repeats``:

- **data pipeline alone**: the config's train dataloader (as MMEngine's
  runner builds it: dataset, pipeline, sampler, workers, ``pseudo_collate``)
  iterated without a model.
- **plain loop**: a hand-written PyTorch loop of the same model (a copy of
  the runner's model, initialised by its ``init_weights``) on the same
  dataset object and pipeline through a ``torch.utils.data.DataLoader`` of
  the same batch size and workers whose collate stacks the images and
  labels in the workers; it converts the batch (float, BGR -> RGB, mean /
  std) by hand, calls the network, ``F.cross_entropy``, ``backward``, the
  same torch optimizer (built by ``build_optim_wrapper`` from the config:
  same class, parameter groups and hyper-parameters) and the config's lr
  schedule (MMEngine's scheduler objects on that plain optimizer, stepped
  per iteration or per epoch as the runner's hook does). It skips what
  MMEngine adds: hooks, logging, message hub, data samples in the main
  process, ``WSOLDataPreprocessor``, ``train_step`` / ``OptimWrapper``.
- **our loop**: ``tools/train.py``'s runner (config read by its
  ``load_config`` + ``merge_args``, built by ``build_runner``) training as
  usual, validation off (``--no-validate``: validating is not training
  throughput, and the plain loop does not validate).

A run is timed from the end of its ``--warmup``-th iteration to the end of
its ``--warmup + --iters``-th (the same count for all; images counted per
batch), crossing epoch boundaries as training does (the end-of-epoch hooks
of our loop are in the timed window). On CUDA, ``--amp`` adds both loops
with mixed precision (``AmpOptimWrapper``, dynamic loss scale, against
``torch.autocast`` + ``GradScaler``). The last line is the verdict on the
ratio ours / plain; exits with 1 when it fails.
"""
import argparse
import copy
import json
import os.path as osp
import statistics
import sys
import time

TOOLS_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, TOOLS_DIR)

from _repo_env import use_repo_venv  # noqa: E402

use_repo_venv()

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from mmengine.hooks import Hook  # noqa: E402
from mmengine.optim import build_optim_wrapper  # noqa: E402
from mmengine.registry import PARAM_SCHEDULERS  # noqa: E402
from mmengine.runner import Runner  # noqa: E402
from mmpretrain.models.losses import CrossEntropyLoss  # noqa: E402
from train import merge_args  # noqa: E402

from wsol_mm.models.heads import CAMHead  # noqa: E402
from wsol_mm.models.wsol import CAM  # noqa: E402
from wsol_mm.utils.cli import build_runner, load_config  # noqa: E402
from wsol_mm.utils.dataloader_workers import \
    release_dataloader_workers  # noqa: E402

DEFAULT_CONFIG = 'configs/cam/cam_r18_demo.py'
RUN_NAMES = {
    'data': 'data pipeline alone',
    'plain': 'plain PyTorch loop',
    'ours': 'our loop (tools/train.py)',
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Images/s of our training loop against a plain PyTorch '
        'loop of the same model, data and optimizer')
    parser.add_argument('config', nargs='?', default=DEFAULT_CONFIG,
                        help=f'train config (default {DEFAULT_CONFIG})')
    parser.add_argument('--warmup', type=int, default=3,
                        help='untimed iterations per run (>= 1, default 3)')
    parser.add_argument('--iters', type=int, default=20,
                        help='timed iterations per run (default 20)')
    parser.add_argument('--repeats', type=int, default=3,
                        help='alternated runs of each kind (default 3)')
    parser.add_argument('--amp', action='store_true',
                        help='CUDA only: also both loops with mixed precision')
    parser.add_argument('--threads', type=int, default=None,
                        help='torch.set_num_threads (default: torch\'s own)')
    parser.add_argument('--target', type=float, default=0.95,
                        help='lowest passing ratio ours / plain (0.95)')
    parser.add_argument('--work-dir', default='work_dirs/benchmark_training',
                        help='the runners\' logs')
    parser.add_argument('--out', help='write the results as JSON here')
    parser.add_argument(
        '--cfg-options', nargs='+', default=[], metavar='KEY=VALUE',
        help='config options, as in tools/train.py')
    args = parser.parse_args(argv)
    if args.warmup < 1 or args.iters < 1 or args.repeats < 1:
        parser.error('--warmup, --iters and --repeats must be >= 1, got '
                     f'{args.warmup}, {args.iters}, {args.repeats}')
    if args.amp and not torch.cuda.is_available():
        parser.error('--amp needs CUDA (MMEngine\'s AmpOptimWrapper does not '
                     'train on the CPU)')
    return args


def load_train_config(config, cfg_options=(), work_dir=None, amp=False):
    """The config as ``tools/train.py CONFIG --no-validate [--amp]`` builds
    it; ``cfg_options`` are ``KEY=VALUE`` strings."""
    from mmengine.config import DictAction
    options = argparse.Namespace()
    DictAction(option_strings=[], dest='options')(
        None, options, list(cfg_options))
    args = argparse.Namespace(
        config=config, cfg_options=options.options or None,
        work_dir=work_dir, launcher='none', local_rank=0, resume=None,
        amp=amp, no_validate=True, auto_scale_lr=False)
    return merge_args(load_config(args), args)


class StopTraining(Exception):
    """Raised by :class:`IterationClock` when its run is complete."""


class IterationClock(Hook):
    """Records the time and the batch size after every training iteration
    (after every other hook) and stops training after ``stop_after``."""

    priority = 'LOWEST'

    def __init__(self, stop_after):
        self.stop_after = stop_after
        self.times, self.images = [], []

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.images.append(len(data_batch['inputs']))
        self.times.append(synchronized_time())
        if len(self.times) >= self.stop_after:
            raise StopTraining


def synchronized_time():
    """``time.perf_counter()`` once the GPU's queued work is done (our loop
    reads its losses every iteration, which waits for the GPU too)."""
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter()


def images_per_second(times, images, warmup):
    """Throughput from the end of iteration ``warmup`` to the last one
    (``times[i]``: when iteration ``i + 1`` ended, ``images[i]``: its
    batch size)."""
    if not 1 <= warmup < len(times):
        raise ValueError(f'warmup must be in [1, {len(times)}), got {warmup}')
    return sum(images[warmup:]) / (times[-1] - times[warmup - 1])


def stack_inputs_and_labels(samples):
    """The plain loop's collate: ``(images (B, C, H, W) uint8, labels (B,))``
    of the packed samples."""
    return (torch.stack([s['inputs'] for s in samples]),
            torch.cat([s['data_samples'].gt_label for s in samples]))


class PlainLoop:
    """One hand-written training step at a time, as a plain PyTorch loop
    would do the work of :class:`CAM`'s ``train_step``.

    Args:
        model (CAM): trained in place; a CAM + CAMHead with an
            ``mmpretrain.CrossEntropyLoss`` on hard labels and no batch
            augmentation (anything else raises ``ValueError``).
        cfg: the training config (``optim_wrapper``, ``param_scheduler``).
        epoch_length (int): iterations per epoch (the schedulers'
            ``convert_to_iter_based``).
        amp (bool): ``torch.autocast`` (float16) + ``GradScaler``.
    """

    def __init__(self, model, cfg, epoch_length, amp=False):
        check_plain_loop_model(model)
        self.model = model
        self.device = next(model.parameters()).device
        preprocessor = model.data_preprocessor
        self.bgr_to_rgb = preprocessor._channel_conversion
        self.mean = preprocessor.mean if preprocessor._enable_normalize \
            else None
        self.std = preprocessor.std if preprocessor._enable_normalize \
            else None
        self.loss_weight = model.head.loss_module.loss_weight
        optim_cfg = copy.deepcopy(cfg.optim_wrapper)
        optim_cfg.pop('loss_scale', None)
        optim_cfg['type'] = 'OptimWrapper'
        self.optimizer = build_optim_wrapper(model, optim_cfg).optimizer
        schedulers = cfg.get('param_scheduler') or []
        if isinstance(schedulers, dict):
            schedulers = [schedulers]
        self.schedulers = [
            PARAM_SCHEDULERS.build(
                s, default_args=dict(optimizer=self.optimizer,
                                     epoch_length=epoch_length))
            for s in schedulers]
        self.amp = amp
        self.scaler = torch.amp.GradScaler('cuda') if amp else None

    def step(self, images, labels):
        """One iteration on ``images`` (B, C, H, W) uint8 and ``labels``
        (B,); returns the loss."""
        x = images.to(self.device).float()
        if self.bgr_to_rgb:
            x = x[:, [2, 1, 0]]
        if self.mean is not None:
            x = (x - self.mean) / self.std
        labels = labels.to(self.device)
        self.optimizer.zero_grad()
        with torch.autocast(self.device.type, dtype=torch.float16,
                            enabled=self.amp):
            loss = self.loss_weight * F.cross_entropy(self.model(x), labels)
        if self.amp:
            self.scaler.scale(loss).backward()
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            loss.backward()
            self.optimizer.step()
        for scheduler in self.schedulers:
            if not scheduler.by_epoch:
                scheduler.step()
        return loss.detach()

    def end_epoch(self):
        for scheduler in self.schedulers:
            if scheduler.by_epoch:
                scheduler.step()


def check_plain_loop_model(model):
    """``ValueError`` unless the plain loop does the same work as the
    model's own ``loss``: CAM, CAMHead, cross entropy on hard labels."""
    head = getattr(model, 'head', None)
    loss = getattr(head, 'loss_module', None)
    preprocessor = model.data_preprocessor
    problems = []
    if type(model) is not CAM:
        problems.append(f'model.type is {type(model).__name__}, not CAM')
    elif type(head) is not CAMHead:
        problems.append(f'model.head.type is {type(head).__name__}, not '
                        'CAMHead')
    elif type(loss) is not CrossEntropyLoss or loss.use_sigmoid or \
            loss.use_soft or loss.class_weight is not None or \
            loss.reduction != 'mean':
        problems.append('model.head.loss is not a plain '
                        'mmpretrain.CrossEntropyLoss (mean, no class weight)')
    if getattr(preprocessor, 'batch_augments', None) is not None:
        problems.append('model.data_preprocessor.batch_augments is set')
    if problems:
        raise ValueError('the plain loop is written for CAM + CAMHead + '
                         'cross entropy without batch augmentation: '
                         + '; '.join(problems))


def plain_dataloader(loader):
    """A torch DataLoader over ``loader``'s dataset with its batch size,
    workers and shuffling, stacking the batch in the workers."""
    return torch.utils.data.DataLoader(
        loader.dataset, batch_size=loader.batch_size, shuffle=True,
        num_workers=loader.num_workers,
        persistent_workers=loader.persistent_workers,
        pin_memory=loader.pin_memory, drop_last=loader.drop_last,
        collate_fn=stack_inputs_and_labels)


def stop_workers(loader):
    """Stop a persistent-worker loader's workers now (see
    :func:`release_dataloader_workers`)."""
    release_dataloader_workers(
        argparse.Namespace(_train_loop=argparse.Namespace(dataloader=loader)))


def time_data_pipeline(cfg, warmup, iters):
    """Images/s of the config's train dataloader alone."""
    loader = Runner.build_dataloader(cfg.train_dataloader,
                                     seed=cfg.randomness.get('seed'))
    times, images = [], []
    try:
        while len(times) < warmup + iters:
            for batch in loader:
                images.append(len(batch['inputs']))
                times.append(time.perf_counter())
                if len(times) == warmup + iters:
                    break
    finally:
        stop_workers(loader)
    return images_per_second(times, images, warmup)


def time_plain_loop(cfg, model, warmup, iters, amp=False):
    """Images/s of :class:`PlainLoop` on ``model`` (reinitialised by its
    ``init_weights``, as the runner does before training)."""
    loader = plain_dataloader(Runner.build_dataloader(
        cfg.train_dataloader, seed=cfg.randomness.get('seed')))
    model.init_weights()
    model.train()
    loop = PlainLoop(model, cfg, len(loader), amp=amp)
    times, images = [], []
    try:
        while len(times) < warmup + iters:
            for inputs, labels in loader:
                loop.step(inputs, labels)
                images.append(len(inputs))
                times.append(synchronized_time())
                if len(times) == warmup + iters:
                    break
            else:
                loop.end_epoch()
    finally:
        stop_workers(loader)
    return images_per_second(times, images, warmup)


def run_until_stopped(runner, clock):
    """Train ``runner`` until ``clock`` stops it."""
    runner.register_hook(clock)
    try:
        runner.train()
    except StopTraining:
        pass
    finally:
        release_dataloader_workers(runner)
    if len(clock.times) < clock.stop_after:
        raise RuntimeError(f'training ended after {len(clock.times)} '
                           f'iterations, before the {clock.stop_after} the '
                           'benchmark needs: raise train_cfg.max_epochs')


def time_our_loop(runner, warmup, iters):
    """Images/s of ``runner.train()`` (a fresh runner)."""
    clock = IterationClock(warmup + iters)
    run_until_stopped(runner, clock)
    return images_per_second(clock.times, clock.images, warmup)


def new_runner(cfg, work_dir, name):
    cfg = copy.deepcopy(cfg)
    cfg.work_dir = work_dir
    cfg.experiment_name = name
    return build_runner(cfg)


def summarize(samples, target):
    """Median images/s per run kind of ``samples`` (kind -> list) and the
    ratios ours / plain per precision; ``passed`` when every ratio reaches
    ``target``."""
    medians = {kind: statistics.median(values)
               for kind, values in samples.items()}
    ratios = {}
    for suffix in ('', '_amp'):
        if f'ours{suffix}' in medians:
            ratios[suffix.strip('_') or 'fp32'] = \
                medians[f'ours{suffix}'] / medians[f'plain{suffix}']
    return dict(samples=samples, medians=medians, ratios=ratios,
                target=target,
                passed=all(r >= target for r in ratios.values()))


def format_report(summary):
    """The table and, last, the verdict line."""
    lines = [f'{"run":<38}{"images/s (median)":>18}   runs']
    for kind, median in summary['medians'].items():
        base, _, amp = kind.partition('_')
        name = RUN_NAMES[base] + (' AMP' if amp else '')
        runs = ', '.join(f'{v:.1f}' for v in summary['samples'][kind])
        lines.append(f'{name:<38}{median:>18.1f}   {runs}')
    ratios = summary['ratios']
    for precision, ratio in ratios.items():
        lines.append(f'{"ours / plain (" + precision + ")":<38}'
                     f'{ratio:>17.2f}x')
    worst = min(ratios.values())
    which = '' if list(ratios) == ['fp32'] else \
        f' (worst of {", ".join(ratios)})'
    verdict = 'PASS' if summary['passed'] else 'FAIL'
    lines.append(f'our loop / plain PyTorch loop{which}: {worst:.2f}x '
                 f'(target >= {summary["target"]:.2f}x): {verdict}')
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    precisions = [False, True] if args.amp else [False]
    configs = {amp: load_train_config(args.config, args.cfg_options,
                                      args.work_dir, amp)
               for amp in precisions}
    samples = {}
    for repeat in range(args.repeats):
        for amp in precisions:
            cfg, suffix = configs[amp], '_amp' if amp else ''
            # The runner sets up the process (seed, threads, cuDNN) before
            # any run of this round is timed.
            runner = new_runner(cfg, args.work_dir,
                                f'benchmark_{repeat}{suffix}')
            if not amp:
                samples.setdefault('data', []).append(
                    time_data_pipeline(cfg, args.warmup, args.iters))
            samples.setdefault(f'plain{suffix}', []).append(time_plain_loop(
                cfg, copy.deepcopy(runner.model), args.warmup, args.iters,
                amp))
            samples.setdefault(f'ours{suffix}', []).append(
                time_our_loop(runner, args.warmup, args.iters))
            del runner
    summary = summarize(samples, args.target)
    summary.update(config=args.config, warmup=args.warmup, iters=args.iters,
                   threads=torch.get_num_threads(),
                   device=torch.cuda.get_device_name()
                   if torch.cuda.is_available() else 'cpu')
    print(format_report(summary), flush=True)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(summary, f, indent=2)
    sys.exit(0 if summary['passed'] else 1)


if __name__ == '__main__':
    main()
