#!/usr/bin/env bash
# Distributed training: bash tools/dist_train.sh CONFIG NUM_PROCS [options]
# (see tools/dist_launch.sh for NNODES, NODE_RANK, MASTER_ADDR, PORT).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec bash "$HERE/dist_launch.sh" "$2" "$HERE/train.py" "$1" "${@:3}"
