#!/usr/bin/env bash
# Installs if needed (with mmcv's compiled ops: the suite tests MMDetection's
# detectors), then runs the whole test suite (extra args go to pytest).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$HERE/install.sh" --with-ops
source "$HERE/python_env.sh"
cd "$HERE/.."
exec "$PYTHON" -m pytest tests projects "$@"
