# `make bench`: CKD (Zhu et al., arXiv 2404.14109), the CIFAR-100 defaults of
# configs/_base_/methods/ckd_cifar100.py (InfoNCE over the batch, weight 10,
# temperature 1, CE 1.0).
_base_ = [
    '../_base_/methods/ckd_cifar100.py',
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
