"""Plot the curves behind MaxBoxAcc, MaxBoxAccV2 and PxAP.

    python tools/analysis_tools/plot_curves.py RESULTS [--out-dir DIR]

RESULTS is the JSON file ``WSOLMetric(curves_file=...)`` writes (e.g.
``--cfg-options test_evaluator.curves_file=curves.json`` puts it in the
run's log folder). Writes into DIR (default: RESULTS' folder):

- ``box_accuracy.png``: box accuracy against the CAM threshold, one line per
  IoU threshold of MaxBoxAccV2 and one for MaxBoxAcc (largest contour), the
  best threshold of each marked;
- ``pxap_pr_curve.png``: PxAP's pixel precision-recall curve (when the
  evaluation had masks).
"""
import argparse
import os
import os.path as osp
import sys

TOOLS_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, TOOLS_DIR)

from _repo_env import use_repo_venv  # noqa: E402

use_repo_venv()

import matplotlib  # noqa: E402

matplotlib.use('Agg')  # files only, no display

import matplotlib.pyplot as plt  # noqa: E402
import mmengine  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(
        description='Plot box-accuracy and PxAP curves of an evaluation')
    parser.add_argument(
        'results', help="the curves JSON of WSOLMetric(curves_file=...)")
    parser.add_argument(
        '--out-dir', help="folder of the PNGs (default: the results' folder)")
    return parser.parse_args()


def _label(curve: dict, name: str) -> str:
    return (f"{name} IoU {curve['iou']:g}: {curve['max']:.2f} at "
            f"{curve['best_threshold']:.3f}")


def plot_box_accuracy(curves: dict, out_file: str) -> None:
    """Box accuracy (%) per CAM threshold; the best point of each curve."""
    thresholds = curves['cam_thresholds']
    figure, axes = plt.subplots(figsize=(7, 4.5))
    lines = [(c, _label(c, 'MaxBoxAccV2'), '-')
             for c in curves['max_box_acc_v2']['curves']]
    lines.append((curves['max_box_acc'],
                  _label(curves['max_box_acc'], 'MaxBoxAcc'), '--'))
    for curve, label, style in lines:
        line, = axes.plot(thresholds, curve['accuracy'], style, label=label)
        axes.plot(curve['best_threshold'], curve['max'], 'o',
                  color=line.get_color())
    axes.set_xlabel('CAM threshold')
    axes.set_ylabel('box accuracy (%)')
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 100)
    axes.grid(alpha=0.3)
    axes.set_title(f"MaxBoxAccV2 {curves['max_box_acc_v2']['value']:.2f} "
                   f"({curves['num_images_with_boxes']} images)")
    axes.legend(loc='best', fontsize='small')
    figure.tight_layout()
    figure.savefig(out_file, dpi=120)
    plt.close(figure)


def plot_pr_curve(curve: dict, out_file: str) -> None:
    """PxAP's pixel precision-recall curve (a step per threshold)."""
    figure, axes = plt.subplots(figsize=(5, 5))
    axes.step([0.0, *curve['recall']], [curve['precision'][0],
                                        *curve['precision']], where='pre')
    axes.set_xlabel('recall')
    axes.set_ylabel('precision')
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.02)
    axes.grid(alpha=0.3)
    axes.set_title(f"PxAP {curve['value']:.2f}")
    figure.tight_layout()
    figure.savefig(out_file, dpi=120)
    plt.close(figure)


def plot_curves(results: str, out_dir: str = None) -> list:
    """Write the PNGs of a curves file; return their paths."""
    curves = mmengine.load(results)
    if not isinstance(curves, dict) or 'cam_thresholds' not in curves:
        raise ValueError(f'{results} is not a curves file of WSOLMetric '
                         '(no cam_thresholds key)')
    out_dir = out_dir or osp.dirname(osp.abspath(results))
    os.makedirs(out_dir, exist_ok=True)
    written = []
    if 'max_box_acc' in curves:
        written.append(osp.join(out_dir, 'box_accuracy.png'))
        plot_box_accuracy(curves, written[-1])
    if 'pxap' in curves:
        written.append(osp.join(out_dir, 'pxap_pr_curve.png'))
        plot_pr_curve(curves['pxap'], written[-1])
    if not written:
        raise ValueError(f'{results} holds neither box curves nor a PxAP '
                         'curve (no image had GT boxes or masks)')
    return written


def main():
    args = parse_args()
    for path in plot_curves(args.results, args.out_dir):
        print(f'wrote {path}')


if __name__ == '__main__':
    main()
