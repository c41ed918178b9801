#!/usr/bin/env bash
# bash tools/dist_launch.sh NUM_PROCS SCRIPT [args]: runs SCRIPT in NUM_PROCS
# processes through torch.distributed.run with --launcher pytorch. Multi-node:
# NNODES, NODE_RANK, MASTER_ADDR, PORT. GPUs use NCCL; CPU-only machines gloo.
set -euo pipefail
NPROCS=$1
SCRIPT=$2
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/python_env.sh"

PYTHONPATH="$HERE/..${PYTHONPATH:+:$PYTHONPATH}" \
exec "$PYTHON" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" \
    --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --nproc_per_node="$NPROCS" \
    --master_port="${PORT:-29500}" \
    "$SCRIPT" "${@:3}" --launcher pytorch
