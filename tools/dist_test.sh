#!/usr/bin/env bash
# Multi-process (multi-node) evaluation with torchrun:
#   tools/dist_test.sh CONFIG CHECKPOINT GPUS [test.py args...]
# Environment: NNODES (1), NODE_RANK (0), PORT (29500), MASTER_ADDR
# (127.0.0.1).
set -euo pipefail
exec "$(dirname "$0")/torchrun_launch.sh" "$3" test.py "$1" "$2" "${@:4}"
