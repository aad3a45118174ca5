# `make bench` and `make demo`, step 2: the student, a CIFAR resnet8,
# trained on labels alone: the reference every method is compared with, at
# equal epochs and at equal compute.
_base_ = [
    '../_base_/models/cifar100/resnet8.py',
    '../_base_/datasets/cifar100_bs64.py',
    './bench_runtime.py',
]
# Log training accuracy (the report shows that the runs converge).
model = dict(head=dict(cal_acc=True))
