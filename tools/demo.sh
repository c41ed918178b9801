#!/usr/bin/env bash
# Quick start: install what the demo needs into .venv/ (unless a virtual
# environment is active; mmcv without its compiled ops, see install.sh), then
# train CAM on the synthetic demo data and print its localization metrics next
# to the Center baseline's.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$HERE/install.sh"
source "$HERE/python_env.sh"
cd "$HERE/.."
exec "$PYTHON" tools/run_demo.py "$@"
