# `make bench`, step 2: the student, a CIFAR resnet8, trained on labels alone:
# the reference every method is compared with.
_base_ = [
    '../_base_/models/cifar100/resnet8.py',
    '../_base_/datasets/cifar100_bs64.py',
    './bench_schedule.py',
]
train_dataloader = dict(dataset=dict(data_root=_base_.embedded_data_root))
val_dataloader = dict(dataset=dict(data_root=_base_.embedded_data_root))
test_dataloader = val_dataloader
