# `make bench`: DKD + logit standardization, the CIFAR-100 setting of
# configs/_base_/methods/dkd-ls_cifar100.py (tau 2, w 9, beta 8, CE 1.0).
# The warm-up keeps its share of the schedule (20 of 240 epochs): 1 of 3
# (run_bench.py: round(epochs / 12), at least 1).
_base_ = [
    '../_base_/methods/dkd-ls_cifar100.py',
    './bench_schedule.py',
    './bench_pair.py',
]
model = dict(
    student=_base_.student,
    teacher=_base_.teacher,
    teacher_ckpt=_base_.teacher_ckpt,
    distill_losses=dict(loss_dkd=dict(warmup_epochs=1)))
train_dataloader = dict(dataset=dict(data_root=_base_.embedded_data_root))
val_dataloader = dict(dataset=dict(data_root=_base_.embedded_data_root))
test_dataloader = val_dataloader
