#!/usr/bin/env bash
# Multi-process (multi-node) training with torchrun:
#   tools/dist_train.sh CONFIG GPUS [train.py args...]
# Environment: NNODES (1), NODE_RANK (0), PORT (29500), MASTER_ADDR (127.0.0.1).
# On a CPU-only machine each process trains on the CPU with gloo.
set -euo pipefail
CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
TOOLS_DIR=$(cd "$(dirname "$0")" && pwd)
PYTHON=${PYTHON:-python}

PYTHONPATH="$TOOLS_DIR/..${PYTHONPATH:+:$PYTHONPATH}" \
"$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$TOOLS_DIR/train.py" \
    "$CONFIG" \
    --launcher pytorch "${@:3}"
