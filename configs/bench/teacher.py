# `make bench` and `make demo`, step 1: the teacher, a CIFAR resnet20
# trained on labels alone, once for every student of the bench (longer than
# the students: a teacher trained to convergence, confident on its training
# images, as the teachers of the CIFAR-100 tables are).
_base_ = [
    '../_base_/models/cifar100/resnet20.py',
    '../_base_/datasets/cifar100_bs64.py',
    './bench_runtime.py',
]
# Log training accuracy (the report shows that the runs converge).
model = dict(head=dict(cal_acc=True))
