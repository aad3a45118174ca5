# `make bench`: CRLD (Zhang et al., ACM MM 2024), the CIFAR-100 setting of
# configs/_base_/methods/crld_cifar100.py (weak + strong views, T 4,
# within-view 2.0, cross-view 0.5, thresholds 0.9 / 0.2, CE 1.0 per view).
_base_ = [
    '../_base_/methods/crld_cifar100.py',
    './bench_schedule.py',
    './bench_pair.py',
]
model = dict(
    student=_base_.student,
    teacher=_base_.teacher,
    teacher_ckpt=_base_.teacher_ckpt)
train_dataloader = dict(dataset=dict(data_root=_base_.embedded_data_root))
val_dataloader = dict(dataset=dict(data_root=_base_.embedded_data_root))
test_dataloader = val_dataloader
