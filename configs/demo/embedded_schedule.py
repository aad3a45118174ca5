# Shared by the `make demo` configs: a short version of the standard CIFAR
# recipe (METHODS.md §4) sized for 2 CPU cores. No data and no model here.
_base_ = [
    '../_base_/schedules/cifar100_sgd_240e.py',
    '../_base_/default_runtime.py',
]
max_epochs = 15
train_cfg = dict(max_epochs=max_epochs)
# lr ×0.1 for the last quarter of the run.
param_scheduler = dict(milestones=[11])
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1, save_best=None))
