"""Train and test several configs on the same data; print one table.

    python tools/analysis_tools/compare_methods.py CONFIG [CONFIG ...]
        [--seeds N] [--work-dir DIR] [--cfg-options KEY=VALUE ...]

Each config is trained with seeds 0 .. N-1 (``randomness.seed``) into
``DIR/<config name>/seed_<s>/`` and its last checkpoint tested on the test
split (``metrics.json`` there); finished runs are reused, interrupted ones
resumed. The table (mean ± sample std over the seeds) is also written to
``DIR/comparison.md`` and ``DIR/comparison.json``. Exits with 1 when a run
failed (the others still run and appear).
"""
import argparse
import os.path as osp
import sys

TOOLS_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, TOOLS_DIR)

from _repo_env import use_repo_venv  # noqa: E402

use_repo_venv()

from wsol_mm.studies.method_comparison import \
    MethodComparison  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(
        description='Train and test configs on the same data; one table')
    parser.add_argument('configs', nargs='+', metavar='CONFIG')
    parser.add_argument(
        '--seeds', type=int, default=1,
        help='seeds 0 .. N-1 per trained config (default 1); configs with '
        'nothing to train are tested once')
    parser.add_argument('--work-dir', default='work_dirs/compare_methods')
    parser.add_argument(
        '--cfg-options', nargs='+', default=[], metavar='KEY=VALUE',
        help='options for every config, as in tools/train.py (e.g. '
        'data_root=PATH train_cfg.max_epochs=1)')
    return parser.parse_args()


def main():
    args = parse_args()
    try:
        comparison = MethodComparison(
            args.configs, args.work_dir, TOOLS_DIR, seeds=args.seeds,
            cfg_options=args.cfg_options, python=sys.executable,
            log=lambda line: print(line, flush=True))
    except ValueError as error:
        sys.exit(f'compare_methods: {error}')
    summary = comparison.run()
    sys.exit(1 if any(m['failed'] for m in summary['methods']) else 0)


if __name__ == '__main__':
    main()
