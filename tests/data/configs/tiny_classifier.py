# A resnet8 trained alone for 2 epochs on tiny data (tests only). The data
# root is set by the tests with --cfg-options.
_base_ = [
    '../../../configs/_base_/models/cifar100/resnet8.py',
    '../../../configs/_base_/datasets/cifar100_bs64.py',
    '../../../configs/_base_/schedules/cifar100_sgd_240e.py',
    '../../../configs/_base_/default_runtime.py',
]
train_cfg = dict(max_epochs=2)
param_scheduler = dict(milestones=[1])
train_dataloader = dict(batch_size=50, num_workers=0, persistent_workers=False)
val_dataloader = dict(batch_size=50, num_workers=0, persistent_workers=False)
test_dataloader = val_dataloader
default_hooks = dict(
    logger=dict(interval=1), checkpoint=dict(interval=1, save_best=None))
