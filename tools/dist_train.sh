#!/usr/bin/env bash
# Multi-process (multi-node) training with torchrun:
#   tools/dist_train.sh CONFIG GPUS [train.py args...]
# Environment: NNODES (1), NODE_RANK (0), PORT (29500), MASTER_ADDR
# (127.0.0.1). On a CPU-only machine each process trains on the CPU (gloo).
set -euo pipefail
exec "$(dirname "$0")/torchrun_launch.sh" "$2" train.py "$1" "${@:3}"
