#!/usr/bin/env bash
# Distributed testing: bash tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCS
# [options] (see tools/dist_launch.sh for NNODES, NODE_RANK, MASTER_ADDR, PORT).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec bash "$HERE/dist_launch.sh" "$3" "$HERE/test.py" "$1" "$2" "${@:4}"
