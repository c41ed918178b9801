"""The quick-start demo: CAM against the Center baseline on synthetic data.

Trains ``configs/cam/cam_r18_demo.py``, evaluates it and the Center baseline
on the same test split, and prints the localization metrics side by side.
The demo dataset writes itself to ``data/synthetic_cub`` the first time.
The console shows one line per epoch and the table; the full log of each
run (config, hooks, every logged iteration) is in its work dir
(``<work-dir>/<run>/<timestamp>/<timestamp>.log``).
"""
import argparse
import logging
import os.path as osp
import time
import warnings

from _repo_env import REPO_ROOT, use_repo_venv

use_repo_venv()

# Without mmcv's compiled ops (the demo's install) mmcv warns about one of
# its transformer layers on import; the demo uses none of them.
warnings.filterwarnings('ignore', message='Fail to import ``MultiScale')
warnings.filterwarnings('ignore', message='pkg_resources is deprecated')

from mmengine.config import Config  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from wsol_mm.engine.hooks import EpochProgressHook  # noqa: E402
from wsol_mm.engine.hooks.epoch_progress_hook import minutes  # noqa: E402

CAM_CONFIG = osp.join(REPO_ROOT, 'configs/cam/cam_r18_demo.py')
CENTER_CONFIG = osp.join(REPO_ROOT, 'configs/center/center_gaussian_demo.py')
COLUMNS = (('Top-1 Cls', 'top1_cls'), ('GT-known Loc', 'gt_known_loc'),
           ('Top-1 Loc', 'top1_loc'), ('MaxBoxAcc', 'max_box_acc'),
           ('MaxBoxAccV2', 'max_box_acc_v2'))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data-root', default='data/synthetic_cub')
    parser.add_argument('--work-dir', default='work_dirs/demo')
    return parser.parse_args()


def not_a_deprecation(record: logging.LogRecord) -> bool:
    """False for MMEngine's notices about its own deprecated names."""
    message = record.getMessage()
    return 'will be deprecated' not in message and \
        'is the alias of' not in message


class QuietRunner(Runner):
    """A runner whose console shows warnings only (no deprecation notices);
    its log file keeps everything at the config's ``log_level``."""

    def build_logger(self, *args, **kwargs):
        logger = super().build_logger(*args, **kwargs)
        for handler in logger.handlers:
            if not isinstance(handler, logging.FileHandler):
                handler.setLevel(logging.WARNING)
                handler.addFilter(not_a_deprecation)
        return logger


def run(config: str, work_dir: str, data_root: str, train: bool) -> dict:
    cfg = Config.fromfile(config)
    cfg.work_dir = work_dir
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(key):
            cfg[key].dataset.data_root = data_root
    runner = QuietRunner.from_cfg(cfg)
    if train:
        runner.register_hook(EpochProgressHook())
        runner.train()
    metrics = runner.test()
    print(f'{osp.basename(config)}: tested; full log in {runner.log_dir}',
          flush=True)
    return {key.split('/')[-1]: value for key, value in metrics.items()}


def main():
    args = parse_args()
    start = time.monotonic()
    if not osp.exists(osp.join(args.data_root, 'images.txt')):
        print(f'Writing the synthetic demo data to {args.data_root}',
              flush=True)
    print(f'Training {osp.relpath(CAM_CONFIG, REPO_ROOT)} on the CPU:',
          flush=True)
    cam = run(CAM_CONFIG, osp.join(args.work_dir, 'cam_r18_demo'),
              args.data_root, train=True)
    center = run(CENTER_CONFIG, osp.join(args.work_dir, 'center'),
                 args.data_root, train=False)

    size = Config.fromfile(CAM_CONFIG).get('input_size', 224)
    print(f'\nLocalization on the synthetic test split '
          f'({cam["num_images"]} images, evaluated at {size}x{size}):')
    print(f'{"method":<14}' + ''.join(f'{name:>14}' for name, _ in COLUMNS))
    for method, metrics in (('CAM (R-18)', cam), ('Center', center)):
        print(f'{method:<14}' + ''.join(
            f'{metrics[key]:>14.2f}' if key in metrics else f'{"n/a":>14}'
            for _, key in COLUMNS))
    gain = cam['gt_known_loc'] - center['gt_known_loc']
    print(f'GT-known Loc: CAM {gain:+.1f} points over the Center baseline '
          f'({minutes(time.monotonic() - start)} for the demo).')


if __name__ == '__main__':
    main()
