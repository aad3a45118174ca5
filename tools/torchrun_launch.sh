#!/usr/bin/env bash
# Shared by dist_train.sh and dist_test.sh: start NPROC copies of a tool of
# this folder with torchrun.
#   tools/torchrun_launch.sh NPROC TOOL.py [tool args...]
# Environment: NNODES (1), NODE_RANK (0), PORT (29500), MASTER_ADDR
# (127.0.0.1), PYTHON (python). On a CPU-only machine each process runs on
# the CPU with gloo.
set -euo pipefail
NPROC=$1
TOOL=$2
TOOLS_DIR=$(cd "$(dirname "$0")" && pwd)
PYTHON=${PYTHON:-python}

PYTHONPATH="$TOOLS_DIR/..${PYTHONPATH:+:$PYTHONPATH}" \
exec "$PYTHON" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" \
    --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --nproc_per_node="$NPROC" \
    --master_port="${PORT:-29500}" \
    "$TOOLS_DIR/$TOOL" "${@:3}" --launcher pytorch
