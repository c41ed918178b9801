"""The quick-start demo: CAM against the Center baseline on synthetic data.

Trains
``configs/cam/cam_r18_demo.py``, evaluates it and the Center baseline on the
same test split, and prints the localization metrics side by side. The
demo dataset writes itself to ``data/synthetic_cub`` the first time.
"""
import argparse
import os.path as osp

from _repo_env import REPO_ROOT, use_repo_venv

use_repo_venv()

from mmengine.config import Config  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

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


def run(config: str, work_dir: str, data_root: str, train: bool) -> dict:
    cfg = Config.fromfile(config)
    cfg.work_dir = work_dir
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(key):
            cfg[key].dataset.data_root = data_root
    runner = Runner.from_cfg(cfg)
    if train:
        runner.train()
    metrics = runner.test()
    return {key.split('/')[-1]: value for key, value in metrics.items()}


def main():
    args = parse_args()
    cam = run(CAM_CONFIG, osp.join(args.work_dir, 'cam_r18_demo'),
              args.data_root, train=True)
    center = run(CENTER_CONFIG, osp.join(args.work_dir, 'center'),
                 args.data_root, train=False)

    print(f'\nLocalization on the synthetic test split '
          f'({cam["num_images"]} images, evaluated at 224x224):')
    print(f'{"method":<14}' + ''.join(f'{name:>14}' for name, _ in COLUMNS))
    for method, metrics in (('CAM (R-18)', cam), ('Center', center)):
        print(f'{method:<14}' + ''.join(
            f'{metrics[key]:>14.2f}' if key in metrics else f'{"n/a":>14}'
            for _, key in COLUMNS))
    gain = cam['gt_known_loc'] - center['gt_known_loc']
    print(f'GT-known Loc: CAM {gain:+.1f} points over the Center baseline.')


if __name__ == '__main__':
    main()
