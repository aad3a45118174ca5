# `make bench`: KD (Hinton et al., 2015), the CIFAR-100 setting of
# configs/_base_/methods/kd_cifar100.py (T 4, KD 0.9, CE 0.1).
_base_ = [
    '../_base_/methods/kd_cifar100.py',
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
