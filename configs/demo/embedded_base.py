# Shared by the `make demo` configs: the embedded CIFAR-100-format dataset
# (docs/embedded_dataset.md) and a short version of the standard recipe
# (METHODS.md §4) sized for 2 CPU cores. No model here: each leaf adds one.
_base_ = [
    '../_base_/datasets/cifar100_bs64.py',
    '../_base_/schedules/cifar100_sgd_240e.py',
    '../_base_/default_runtime.py',
]
data_root = 'data/embedded_cifar100'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

max_epochs = 20
train_cfg = dict(max_epochs=max_epochs)
# lr ×0.1 for the last quarter of the run.
param_scheduler = dict(milestones=[15])
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1, save_best=None))
