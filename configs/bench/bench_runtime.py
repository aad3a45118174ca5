# `make bench` and `make demo` (tools/analysis/run_bench.py,
# docs/benchmark.md): the schedule and runtime of every run. The standard
# CIFAR recipe (docs/recipes.md#schedules: SGD lr 0.05, momentum 0.9, wd
# 5e-4, batch 64, lr x0.1 at 150/180/210 of 240 epochs) with its decay
# points kept at the same fractions of a shorter schedule; run_bench.py sets
# the epochs of each preset and rescales the milestones and the DKD/AEKT
# warm-up by the rules in its docstring. The data root is set per preset.
_base_ = [
    '../_base_/schedules/cifar100_sgd_240e.py',
    '../_base_/default_runtime.py',
]
max_epochs = 20
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
param_scheduler = dict(milestones=[13, 15, 18])  # 150/180/210 of 240
default_hooks = dict(
    logger=dict(interval=50),
    # Only the latest checkpoint: the protocol reports the last epoch, and
    # run_bench.py saves every 10 epochs so that a stopped bench resumes.
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1, save_best=None))
