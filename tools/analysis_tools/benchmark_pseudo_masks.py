"""Time the pseudo-mask generation of SPOL and ISIC for one class.

    python tools/analysis_tools/benchmark_pseudo_masks.py [--images 30]
        [--channels 2048] [--feature-size 28] [--image-size 224]
        [--device auto|cpu|cuda] [--repeats 5] [--warmup 1] [--threads 1]
        [--seed 0] [--out results.json]

The inputs are the features of one class (default 30 images x 2048 x 28 x
28, float32, seeded): ReLU activations of an object blob that a quarter of
the channels respond to, over noise. Each step times the package's own
function on the previous step's output, as the pseudo-mask stages chain
them (``wsol_mm/pipelines/{nmf,cam}_pseudo_mask_stage.py``):

- ISIC (``NMFPseudoMaskStage``): ``nmf_masks`` (rank-1 NMF of the class,
  section 3.5), the maps on the input grid divided by their maximum
  (``PseudoMaskStage.max_normalized_grids``), ``double_threshold``
  (0.5 / 0.004); and, apart, ``nmf_rank1`` on the stage's (T*H*W, N)
  matrix, the stage's own call.
- SPOL, the paper (``spol_r50_cub.py``): the ground-truth class's CAM
  (``CAMHead.class_activation_maps``), the grids, ``GaussianPriorEnhance``
  (fg 0.7) and ``double_threshold`` (0.5 / 0.004).
- SPOL, the official code (``spol_official.py``): the CAM with the bias,
  the grids, the per-contour prior (``GaussianPriorEnhance.prior``) and
  ``cam_or_prior_labels`` (0.25 / 0.01).

Not timed: the network's forward and the stages' per-image mapping back to
the original image and writing. Every time is the median of ``--repeats``
calls after ``--warmup`` calls (CUDA synchronised around each call); a
method's total is the sum of its steps' medians. With a GPU (``--device
auto``, the default, uses it when there is one) the same inputs run on both
and the table gives CPU / GPU.
"""
import argparse
import json
import os.path as osp
import platform
import statistics
import sys
import time
from typing import Callable, Dict, List, Sequence, Tuple

TOOLS_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, TOOLS_DIR)

from _repo_env import use_repo_venv  # noqa: E402

use_repo_venv()

import torch  # noqa: E402

import wsol_mm  # noqa: E402,F401  (registers the models)
from wsol_mm.models.utils import (GaussianPriorEnhance,  # noqa: E402
                                  double_threshold, nmf_masks, nmf_rank1)
from wsol_mm.models.utils.pseudo_masks import \
    cam_or_prior_labels  # noqa: E402
from wsol_mm.pipelines.pseudo_mask_stage import PseudoMaskStage  # noqa: E402
from wsol_mm.registry import MODELS  # noqa: E402
from wsol_mm.structures import WSOLDataSample  # noqa: E402

#: The class whose images the features are (any valid index).
CLASS_INDEX = 0
#: The official SPOL prior (``configs/_base_/methods/spol_official.py``).
OFFICIAL_PRIOR = dict(weight_range=(0.1, 0.5), per_contour=True,
                      min_contour_area=20, var_scale=0.1)

Step = Tuple[str, Callable]


def class_features(num_images: int, channels: int, size: int,
                   seed: int = 0) -> Tuple[torch.Tensor, torch.Tensor]:
    """Seeded ReLU-like features of one class and the channels' loadings.

    Image ``t`` holds a Gaussian blob (centre in the middle half, sigma 10
    to 25 % of ``size``); a random quarter of the channels respond to it
    with a loading in [0, 1); features are ``relu(0.3 noise + 2 loading
    blob - 0.1)``, zero for about 60 % of the background.

    Returns:
        tuple[Tensor, Tensor]: (T, N, H, W) float32 features and the (N,)
        loadings, both on the CPU.
    """
    for key, value in dict(images=num_images, channels=channels,
                           feature_size=size).items():
        if value < 1:
            raise ValueError(f'{key} must be positive, got {value}')
    generator = torch.Generator().manual_seed(seed)
    loadings = torch.rand(channels, generator=generator) * (
        torch.rand(channels, generator=generator) < 0.25)
    centres = (0.25 + 0.5 * torch.rand(num_images, 2, generator=generator)
               ) * size
    sigmas = (0.1 + 0.15 * torch.rand(num_images, generator=generator)
              ) * size
    grid = torch.arange(size, dtype=torch.float32)
    blobs = torch.exp(
        -((grid[None, :, None] - centres[:, 0, None, None])**2 +
          (grid[None, None, :] - centres[:, 1, None, None])**2) /
        (2 * sigmas[:, None, None]**2))
    features = 0.3 * torch.randn(num_images, channels, size, size,
                                 generator=generator)
    features += 2 * loadings[None, :, None, None] * blobs[:, None]
    return (features - 0.1).clamp_(min=0), loadings


def cam_model(channels: int, num_classes: int,
              loadings: torch.Tensor) -> torch.nn.Module:
    """A CAM model whose class ``CLASS_INDEX`` weighs the channels by their
    loadings (its CAM is the blob) with a bias of -0.05 times their sum
    (about the background's CAM); only its ``CAMHead`` and its grid
    mapping are used (the backbone, a small ResNet-18, is never run)."""
    model = MODELS.build(dict(
        type='CAM',
        backbone=dict(type='mmpretrain.ResNet', depth=18, base_channels=8),
        head=dict(type='CAMHead', num_classes=num_classes,
                  in_channels=channels)))
    with torch.no_grad():
        model.head.fc.weight[CLASS_INDEX] = loadings
        model.head.fc.bias[CLASS_INDEX] = -0.05 * loadings.sum()
    return model.eval()


def method_steps(model: torch.nn.Module, image_size: int,
                 num_images: int) -> Dict[str, List[Step]]:
    """Per method, its (name, function) steps: each function takes the
    previous step's output (the first: the features) and returns what the
    package function returns (the grids step: the stage's list of (1, H, W)
    maps, concatenated as the stage does before the prior)."""
    device = model.head.fc.weight.device
    labels = torch.full((num_images, 1), CLASS_INDEX, device=device)
    inputs = torch.zeros((), device=device).expand(
        num_images, 3, image_size, image_size)  # only its shape is read
    samples = [WSOLDataSample(metainfo=dict(img_shape=(image_size,
                                                       image_size)))
               for _ in range(num_images)]
    paper_prior = GaussianPriorEnhance(fg_threshold=0.7)
    official_prior = GaussianPriorEnhance(**OFFICIAL_PRIOR)

    def grids(maps):
        return torch.cat(PseudoMaskStage.max_normalized_grids(
            model, maps, inputs, samples))

    @torch.no_grad()
    def cams(features, **bias):
        return model.head.class_activation_maps(features, labels, **bias)

    return {
        'ISIC': [
            ('nmf_masks', nmf_masks),
            ('max_normalized_grids', lambda masks: grids(masks[:, None])),
            ('double_threshold', lambda maps: double_threshold(
                maps, 0.5, 0.004)),
        ],
        'SPOL paper': [
            ('class_activation_maps', cams),
            ('max_normalized_grids', grids),
            ('GaussianPriorEnhance', paper_prior),
            ('double_threshold', lambda maps: double_threshold(
                maps, 0.5, 0.004)),
        ],
        'SPOL official': [
            ('class_activation_maps', lambda f: cams(f, with_bias=True)),
            ('max_normalized_grids', grids),
            ('GaussianPriorEnhance.prior', lambda maps: (
                maps, official_prior.prior(maps))),
            ('cam_or_prior_labels', lambda maps: cam_or_prior_labels(
                *maps, 0.25, 0.01)),
        ],
        'ISIC stage direction': [
            ('nmf_rank1', lambda theta: nmf_rank1(theta)),
        ],
    }


def stage_matrix(features: torch.Tensor) -> torch.Tensor:
    """Theta (T*H*W, N) as ``NMFPseudoMaskStage.prepare`` builds it."""
    return features.permute(0, 2, 3, 1).reshape(-1, features.shape[1])


def median_ms(function: Callable, argument, device: torch.device,
              repeats: int, warmup: int) -> float:
    """Median wall time (ms) of ``function(argument)`` after ``warmup``
    calls; CUDA is synchronised before and after each call."""
    def synchronize():
        if device.type == 'cuda':
            torch.cuda.synchronize(device)

    for _ in range(warmup):
        function(argument)
    times = []
    for _ in range(repeats):
        synchronize()
        start = time.perf_counter()
        function(argument)
        synchronize()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def time_methods(features: torch.Tensor, loadings: torch.Tensor,
                 device: torch.device, image_size: int, num_classes: int,
                 repeats: int, warmup: int) -> Dict[str, Dict[str, float]]:
    """ms per class of every step of every method on ``device`` (and each
    method's ``total``)."""
    model = cam_model(features.shape[1], num_classes, loadings).to(device)
    features = features.to(device)
    timings = {}
    for method, steps in method_steps(model, image_size,
                                      len(features)).items():
        value = (stage_matrix(features) if method == 'ISIC stage direction'
                 else features)
        timings[method] = {}
        for name, function in steps:
            timings[method][name] = median_ms(function, value, device,
                                              repeats, warmup)
            value = function(value)
        timings[method]['total'] = sum(timings[method].values())
    return timings


def devices_of(choice: str) -> List[torch.device]:
    if choice not in ('auto', 'cpu', 'cuda'):
        raise ValueError(f'--device must be auto, cpu or cuda, got {choice}')
    if choice == 'cuda' and not torch.cuda.is_available():
        raise ValueError('--device cuda: torch.cuda.is_available() is False')
    if choice == 'cpu' or (choice == 'auto'
                           and not torch.cuda.is_available()):
        return [torch.device('cpu')]
    return ([torch.device('cpu')] if choice == 'auto' else []) + [
        torch.device('cuda')]


def format_table(timings: Dict[str, dict], num_images: int) -> str:
    """Rows: method / step; columns: ms per class and per image on each
    device, and CPU / GPU when both ran."""
    devices = list(timings)
    header = ['method', 'step']
    for device in devices:
        header += [f'{device} ms/class', f'{device} ms/image']
    both = devices == ['cpu', 'cuda']
    if both:
        header.append('cpu/cuda')
    rows = [header]
    for method, steps in timings[devices[0]].items():
        for step in steps:
            row = [method, step]
            for device in devices:
                ms = timings[device][method][step]
                row += [f'{ms:.2f}', f'{ms / num_images:.3f}']
            if both:
                ratio = timings['cpu'][method][step] / max(
                    timings['cuda'][method][step], 1e-9)
                row.append(f'{ratio:.1f}x')
            rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return '\n'.join('  '.join(cell.ljust(w) if i < 2 else cell.rjust(w)
                               for i, (cell, w) in enumerate(zip(row, widths)))
                     for row in rows)


def verdict(timings: Dict[str, dict], num_images: int) -> str:
    """One line: each method's total per class and per image, and the GPU's
    speed-up when it ran."""
    parts = []
    for device, methods in timings.items():
        totals = ', '.join(
            f'{method} {steps["total"]:.1f} ms '
            f'({steps["total"] / num_images:.2f} ms/image)'
            for method, steps in methods.items()
            if method != 'ISIC stage direction')
        parts.append(f'{device}: {totals}')
    line = f'Pseudo masks of one class of {num_images} images: ' + '; '.join(
        parts)
    if 'cpu' in timings and 'cuda' in timings:
        ratios = ', '.join(
            f'{method} {cpu["total"] / gpu["total"]:.1f}x'
            for (method, cpu), gpu in zip(timings['cpu'].items(),
                                          timings['cuda'].values()))
        return f'{line}; GPU faster than CPU by {ratios}'
    if 'cuda' not in timings:
        return f'{line}; no GPU in this run'
    return line


def parse_args(argv: Sequence[str] = None):
    parser = argparse.ArgumentParser(
        description='Time SPOL and ISIC pseudo masks of one class')
    parser.add_argument('--images', type=int, default=30,
                        help='images of the class (default 30)')
    parser.add_argument('--channels', type=int, default=2048)
    parser.add_argument('--feature-size', type=int, default=28,
                        help='feature maps are SIZE x SIZE (default 28)')
    parser.add_argument('--image-size', type=int, default=224,
                        help='the input grid the maps are upsampled to '
                        '(default 224, stride 8 of the 28 x 28 features)')
    parser.add_argument('--num-classes', type=int, default=200,
                        help="the CAM head's classes (default 200, CUB)")
    parser.add_argument('--device', default='auto',
                        help='auto (CPU, and CUDA when available), cpu or '
                        'cuda')
    parser.add_argument('--repeats', type=int, default=5,
                        help='timed calls per step; the median is reported')
    parser.add_argument('--warmup', type=int, default=1,
                        help='untimed calls per step first (default 1)')
    parser.add_argument('--threads', type=int, default=1,
                        help='CPU threads (default 1, one core; 0 keeps '
                        "torch's default)")
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', help='also write the results as JSON here')
    args = parser.parse_args(argv)
    for key in ('images', 'channels', 'feature_size', 'image_size',
                'num_classes', 'repeats'):
        if getattr(args, key) < 1:
            parser.error(f'--{key.replace("_", "-")} must be positive, got '
                         f'{getattr(args, key)}')
    if args.warmup < 0 or args.threads < 0:
        parser.error('--warmup and --threads must be >= 0')
    try:
        args.devices = devices_of(args.device)
    except ValueError as error:
        parser.error(str(error))
    return args


def main(argv: Sequence[str] = None) -> dict:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    features, loadings = class_features(args.images, args.channels,
                                        args.feature_size, args.seed)
    timings = {
        device.type: time_methods(features, loadings, device,
                                  args.image_size, args.num_classes,
                                  args.repeats, args.warmup)
        for device in args.devices
    }
    machine = dict(platform=platform.platform(),
                   processor=platform.processor() or platform.machine(),
                   cpu_threads=torch.get_num_threads(),
                   torch=torch.__version__)
    if torch.cuda.is_available() and 'cuda' in timings:
        machine['gpu'] = torch.cuda.get_device_name()
    print(f'Features: {args.images} x {args.channels} x {args.feature_size} '
          f'x {args.feature_size} float32 (seed {args.seed}), maps on the '
          f'{args.image_size} x {args.image_size} input grid; '
          f'{machine["cpu_threads"]} CPU thread(s), median of '
          f'{args.repeats} after {args.warmup} warm-up; '
          f'{machine.get("gpu", "no GPU")}')
    print(format_table(timings, args.images))
    line = verdict(timings, args.images)
    print(line)
    results = dict(
        settings={k: v for k, v in vars(args).items()
                  if k not in ('devices', 'out')},
        machine=machine,
        ms_per_class=timings,
        ms_per_image={device: {method: {step: ms / args.images
                                        for step, ms in steps.items()}
                               for method, steps in methods.items()}
                      for device, methods in timings.items()},
        verdict=line)
    if args.out:
        with open(args.out, 'w') as file:
            json.dump(results, file, indent=2)
    return results


if __name__ == '__main__':
    main()
