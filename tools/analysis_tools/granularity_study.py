"""Run a label-granularity study (Cole et al., ECCV 2022) and write its
report.

    python tools/analysis_tools/granularity_study.py CONFIG --work-dir DIR
        [--cfg-options KEY=VALUE ...]

Every run of the study's grid trains in ``DIR/<run name>/``; a finished run
is never redone and an interrupted one resumes from its last checkpoint, so
the same command continues a killed study. When all runs are done,
``DIR/results.json`` (every number) and ``DIR/report.md`` (table 2 and
figures 3-5, PNG files beside it) are written.

Split the runs among the processes of a launcher, one run per GPU (no
process group: each run trains on its own device)::

    python -m torch.distributed.run --nproc_per_node 8 \\
        tools/analysis_tools/granularity_study.py CONFIG --work-dir DIR \\
        --launcher pytorch
"""
import argparse
import os
import os.path as osp
import sys

TOOLS_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, TOOLS_DIR)

from _repo_env import use_repo_venv  # noqa: E402

use_repo_venv()

from mmengine.config import DictAction  # noqa: E402

from wsol_mm.studies import process_share, run_study  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(
        description='Run a label-granularity study and write its report')
    parser.add_argument('config', help='study config (with `study = dict()`)')
    parser.add_argument('--work-dir', help='where the runs and the report '
                        'go (default: work_dirs/<config name>)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, default={},
        help='options of every run, "key=value" (e.g. data_root=PATH)')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm'], default='none',
        help='share the runs among the processes of this launcher')
    return parser.parse_args()


def main():
    args = parse_args()
    work_dir = args.work_dir or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    rank, world_size = process_share(args.launcher, os.environ)
    report = run_study(args.config, work_dir, args.cfg_options, rank,
                       world_size)
    if report is not None:
        print(f'Report: {report}')


if __name__ == '__main__':
    main()
