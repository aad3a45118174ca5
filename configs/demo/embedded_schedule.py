# Shared by the `make demo` configs: a short version of the standard CIFAR
# recipe (METHODS.md §4) sized so that the five demo runs fit in the 15-minute
# budget on 2 CPU cores. No data and no model here.
_base_ = [
    '../_base_/schedules/cifar100_sgd_240e.py',
    '../_base_/default_runtime.py',
]
max_epochs = 8
# Validate twice (epochs 4 and 8): each pass costs a fifth of a training
# epoch here, and the table reports the last epoch.
train_cfg = dict(max_epochs=max_epochs, val_interval=4)
# lr ×0.1 for the last quarter of the run.
param_scheduler = dict(milestones=[6])
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1, save_best=None))
