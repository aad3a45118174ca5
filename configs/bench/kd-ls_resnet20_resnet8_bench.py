# `make bench`: KD + logit standardization (Sun et al., CVPR 2024), the
# CIFAR-100 setting of configs/_base_/methods/kd-ls_cifar100.py (tau 2, w 9,
# CE 0.1).
_base_ = [
    '../_base_/methods/kd-ls_cifar100.py',
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
