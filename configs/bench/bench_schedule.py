# `make bench` (tools/analysis/run_bench.py, docs/benchmark.md): the schedule
# and runtime of every bench run. A short version of the standard CIFAR recipe
# (METHODS.md §4: SGD lr 0.05, momentum 0.9, wd 5e-4, batch 64) sized so the
# whole bench fits in about 40 minutes on 2 CPU cores. run_bench.py --epochs
# rescales it by the rules noted below.
_base_ = [
    '../_base_/schedules/cifar100_sgd_240e.py',
    '../_base_/default_runtime.py',
]
max_epochs = 3
train_cfg = dict(max_epochs=max_epochs)
# lr x0.1 for the last quarter: milestone = round(3/4 x epochs).
param_scheduler = dict(milestones=[2])
default_hooks = dict(
    logger=dict(interval=50),
    # Only the last checkpoint: bench runs are short and restart from scratch.
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1, save_best=None))

# The embedded CIFAR-100-format dataset (docs/embedded_dataset.md) at the
# bench's size, in its own folder (the demo's has other sizes):
#   python tools/dataset_converters/generate_embedded_cifar100.py \
#       --out data/embedded_cifar100_bench --train-per-class 50 \
#       --test-per-class 20
# Leaves point their loaders here (the method bases bring the pipelines).
embedded_data_root = 'data/embedded_cifar100_bench'
