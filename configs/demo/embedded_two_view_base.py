# `make demo`: the embedded dataset with a weak and a strong view per training
# image (CRLD, MLKD; METHODS.md §3.3), and the demo schedule.
_base_ = [
    '../_base_/datasets/cifar100_two_view_bs64.py', './embedded_schedule.py'
]
data_root = 'data/embedded_cifar100'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
