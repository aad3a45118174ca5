# `make bench`: CRLD + logit standardization (mmlogitkd's own combination),
# the setting of configs/_base_/methods/crld-ls_cifar100.py (tau 2,
# within-view 18, cross-view 4.5).
_base_ = [
    '../_base_/methods/crld-ls_cifar100.py',
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
