# `make bench`: MLKD (Jin et al., CVPR 2023), the CIFAR-100 setting of
# configs/_base_/methods/mlkd_cifar100.py (weak + strong views, temperatures
# 4, 3, 5, 2, 6, KD 0.9, CE 0.1 per view). The lr stays at the bench's 0.05
# (MLKD's 0.025 belongs to its 240-epoch recipe): one schedule for all.
_base_ = [
    '../_base_/methods/mlkd_cifar100.py',
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
