#!/usr/bin/env bash
# Installs if needed, then runs the whole test suite (extra args go to pytest).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$HERE/install.sh"
source "$HERE/python_env.sh"
cd "$HERE/.."
exec "$PYTHON" -m pytest tests "$@"
