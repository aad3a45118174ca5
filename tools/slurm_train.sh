#!/usr/bin/env bash
# Training on a SLURM cluster, one process per task:
#   [GPUS=8] [GPUS_PER_NODE=8] [TASKS_PER_NODE=...] [CPUS_PER_TASK=5] \
#   [SRUN_ARGS=...] [PYTHON=python] \
#   tools/slurm_train.sh PARTITION JOB_NAME CONFIG [WORK_DIR] [train.py args...]
# GPUS: number of processes (tasks) in all, one per GPU on GPU nodes.
# GPUS_PER_NODE: GPUs requested per node (--gres=gpu:N); 0 requests none, for
#   CPU-only partitions (each process then trains on CPU cores with gloo).
# TASKS_PER_NODE: processes per node; defaults to GPUS_PER_NODE, or to GPUS
#   when GPUS_PER_NODE=0 (one node).
# CPUS_PER_TASK: cores per process; each process also gets
#   OMP_NUM_THREADS=MKL_NUM_THREADS=CPUS_PER_TASK unless they are set, so
#   processes sharing a node do not each start a thread per core.
# PYTHON: the interpreter with mmlogitkd installed, e.g. PYTHON=.venv/bin/python.
set -euo pipefail
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
WORK_DIR=${4:-"work_dirs/$(basename "$CONFIG" .py)"}
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
if [ "$GPUS_PER_NODE" -gt 0 ]; then
    TASKS_PER_NODE=${TASKS_PER_NODE:-$GPUS_PER_NODE}
    GRES=(--gres="gpu:$GPUS_PER_NODE")
else
    TASKS_PER_NODE=${TASKS_PER_NODE:-$GPUS}
    GRES=()
fi
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-""}
TOOLS_DIR=$(cd "$(dirname "$0")" && pwd)
PYTHON=${PYTHON:-python}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-$CPUS_PER_TASK}
export MKL_NUM_THREADS=${MKL_NUM_THREADS:-$CPUS_PER_TASK}

PYTHONPATH="$TOOLS_DIR/..${PYTHONPATH:+:$PYTHONPATH}" \
srun -p "$PARTITION" \
    --job-name="$JOB_NAME" \
    ${GRES[@]+"${GRES[@]}"} \
    --ntasks="$GPUS" \
    --ntasks-per-node="$TASKS_PER_NODE" \
    --cpus-per-task="$CPUS_PER_TASK" \
    --kill-on-bad-exit=1 \
    ${SRUN_ARGS} \
    "$PYTHON" -u "$TOOLS_DIR/train.py" "$CONFIG" --work-dir="$WORK_DIR" \
    --launcher="slurm" "${@:5}"
