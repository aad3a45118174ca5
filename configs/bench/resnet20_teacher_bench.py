# `make bench`, step 1: the teacher, a CIFAR resnet20 trained on labels alone,
# once for the whole bench (longer than the students: a teacher worth
# distilling from).
_base_ = [
    '../_base_/models/cifar100/resnet20.py',
    '../_base_/datasets/cifar100_bs64.py',
    './bench_schedule.py',
]
max_epochs = 10
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = dict(milestones=[8])  # round(3/4 x 10)
default_hooks = dict(checkpoint=dict(interval=max_epochs))

train_dataloader = dict(dataset=dict(data_root=_base_.embedded_data_root))
val_dataloader = dict(dataset=dict(data_root=_base_.embedded_data_root))
test_dataloader = val_dataloader
