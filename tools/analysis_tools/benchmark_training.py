"""Images/s of tools/train.py's training loop against a plain PyTorch loop.

    python tools/analysis_tools/benchmark_training.py [CONFIG]
        [--warmup 3] [--iters 20] [--repeats 3] [--amp] [--threads N]
        [--target 0.95] [--out results.json] [--cfg-options KEY=VALUE ...]

Per repeat (``--repeats``, the median is reported), the data pipeline alone
and then both loops, alternating iteration by iteration (one of ours, one
plain, ...: the load of a shared machine changes both alike):

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

Each run times ``--iters`` iterations after ``--warmup`` untimed ones (the
same counts for all; images counted per batch), crossing epoch boundaries
as training does: an iteration of our loop runs from the end of the
previous plain iteration to the end of its own hooks, so it holds its data
loading and every hook, the end-of-epoch ones included. On CUDA, ``--amp``
adds both loops with mixed precision (``AmpOptimWrapper``, dynamic loss
scale, against ``torch.autocast`` + ``GradScaler``). The ratio ours / plain
is the median of the repeats' ratios; the last line is its verdict; exits
with 1 when it fails.
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
from mmengine.config import DictAction  # noqa: E402
from mmengine.hooks import Hook  # noqa: E402
from mmengine.optim import build_optim_wrapper  # noqa: E402
from mmengine.registry import PARAM_SCHEDULERS  # noqa: E402
from mmengine.runner import Runner  # noqa: E402
from mmpretrain.models.losses import CrossEntropyLoss  # noqa: E402
from train import merge_args  # noqa: E402

from wsol_mm.apis import load_config  # noqa: E402
from wsol_mm.engine import build_runner  # noqa: E402
from wsol_mm.models.heads import CAMHead  # noqa: E402
from wsol_mm.models.wsol import CAM  # noqa: E402
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
    options = argparse.Namespace()
    DictAction(option_strings=[], dest='options')(
        None, options, list(cfg_options))
    args = argparse.Namespace(
        config=config, cfg_options=options.options or None,
        work_dir=work_dir, launcher='none', local_rank=0, resume=None,
        amp=amp, no_validate=True, auto_scale_lr=False)
    return merge_args(load_config(args), args)


class StopTraining(Exception):
    """Raised by :class:`AlternatingTimer` when its run is complete."""


class AlternatingTimer(Hook):
    """Times every iteration of our loop and, when given ``plain_step``,
    runs one iteration of the plain loop right after each of ours, timed
    apart: the two loops alternate iteration by iteration (A B A B ...), so
    that the load of a shared machine changes both alike. Stops training
    after ``stop_after`` of our iterations.

    ``ours`` and ``plain`` hold ``(seconds, images)`` per iteration; one of
    ours runs from the end of the previous plain iteration (or of
    ``before_train``) to the end of its own hooks, so it holds its data
    loading and every hook, end-of-epoch ones included. ``plain_step()``
    fetches and trains on one batch and returns its image count.
    """

    priority = 'LOWEST'

    def __init__(self, stop_after, plain_step=None):
        self.stop_after = stop_after
        self.plain_step = plain_step
        self.ours, self.plain = [], []
        self._last = None

    def before_train(self, runner):
        self._last = synchronized_time()

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        now = synchronized_time()
        self.ours.append((now - self._last, len(data_batch['inputs'])))
        if self.plain_step is not None:
            images = self.plain_step()
            self._last = synchronized_time()
            self.plain.append((self._last - now, images))
        else:
            self._last = now
        if len(self.ours) >= self.stop_after:
            raise StopTraining


def synchronized_time():
    """``time.perf_counter()`` once the GPU's queued work is done (our loop
    reads its losses every iteration, which waits for the GPU too)."""
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter()


def images_per_second(iterations, warmup):
    """Throughput of ``iterations`` (``(seconds, images)`` each) after the
    first ``warmup``."""
    if not 0 <= warmup < len(iterations):
        raise ValueError(f'warmup must be in [0, {len(iterations)}), got '
                         f'{warmup}')
    timed = iterations[warmup:]
    return sum(n for _, n in timed) / sum(t for t, _ in timed)


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
    iterations = []
    last = time.perf_counter()
    try:
        while len(iterations) < warmup + iters:
            for batch in loader:
                now = time.perf_counter()
                iterations.append((now - last, len(batch['inputs'])))
                last = now
                if len(iterations) == warmup + iters:
                    break
    finally:
        stop_workers(loader)
    return images_per_second(iterations, warmup)


def plain_steps(loop, loader):
    """A callable training ``loop`` on the next batch of ``loader`` (epoch
    after epoch) and returning its image count."""
    def batches():
        while True:
            yield from loader
            loop.end_epoch()

    stream = batches()

    def step():
        images, labels = next(stream)
        loop.step(images, labels)
        return len(images)

    return step


def run_until_stopped(runner, timer):
    """Train ``runner`` until ``timer`` stops it."""
    runner.register_hook(timer)
    try:
        runner.train()
    except StopTraining:
        pass
    finally:
        release_dataloader_workers(runner)
    if len(timer.ours) < timer.stop_after:
        raise RuntimeError(f'training ended after {len(timer.ours)} '
                           f'iterations, before the {timer.stop_after} the '
                           'benchmark needs: raise train_cfg.max_epochs')


def time_both_loops(runner, cfg, warmup, iters, amp=False):
    """``(ours, plain)`` images/s: ``runner.train()`` (a fresh runner)
    alternating with :class:`PlainLoop` on a copy of its model
    (initialised by ``init_weights``, as the runner does before training),
    reading the same dataset."""
    model = copy.deepcopy(runner.model)
    model.init_weights()
    model.train()
    loader = plain_dataloader(Runner.build_dataloader(
        cfg.train_dataloader, seed=cfg.randomness.get('seed')))
    loop = PlainLoop(model, cfg, len(loader), amp=amp)
    timer = AlternatingTimer(warmup + iters, plain_steps(loop, loader))
    try:
        run_until_stopped(runner, timer)
    finally:
        stop_workers(loader)
    return (images_per_second(timer.ours, warmup),
            images_per_second(timer.plain, warmup))


def new_runner(cfg, work_dir, name):
    cfg = copy.deepcopy(cfg)
    cfg.work_dir = work_dir
    cfg.experiment_name = name
    return build_runner(cfg)


def summarize(samples, target):
    """Median images/s per run kind of ``samples`` (kind -> one value per
    repeat) and, per precision, the median over the repeats of the ratio
    ours / plain of the same repeat (the two loops ran alternately);
    ``passed`` when every ratio reaches ``target``."""
    medians = {kind: statistics.median(values)
               for kind, values in samples.items()}
    ratios = {}
    for suffix in ('', '_amp'):
        if f'ours{suffix}' in samples:
            ratios[suffix.strip('_') or 'fp32'] = statistics.median(
                o / p for o, p in zip(samples[f'ours{suffix}'],
                                      samples[f'plain{suffix}']))
    return dict(samples=samples, medians=medians, ratios=ratios,
                target=target,
                passed=all(r >= target for r in ratios.values()))


def format_report(summary):
    """The table and, last, the verdict line."""
    lines = []
    if 'config' in summary:
        lines.append(f'{summary["config"]} on {summary["device"]} '
                     f'({summary["threads"]} torch threads): '
                     f'{summary["iters"]} timed iterations after '
                     f'{summary["warmup"]} per run, batch '
                     f'{summary["batch_size"]}')
    lines.append(f'{"run":<38}{"images/s (median)":>18}   runs')
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
            ours, plain = time_both_loops(runner, cfg, args.warmup,
                                          args.iters, amp)
            samples.setdefault(f'plain{suffix}', []).append(plain)
            samples.setdefault(f'ours{suffix}', []).append(ours)
            del runner
    summary = summarize(samples, args.target)
    summary.update(config=args.config, warmup=args.warmup, iters=args.iters,
                   batch_size=configs[False].train_dataloader.batch_size,
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
