# `make bench`: AEKT (Park, Lee, arXiv 2409.01679; mmlogitkd's
# interpretation), the CIFAR-100 defaults of
# configs/_base_/methods/aekt_cifar100.py (T 4, alpha 1, beta 8, max ratio 4,
# task-serialization layer).
# The warm-up keeps its share of the schedule (20 of 240 epochs): 1 of 3
# (run_bench.py: round(epochs / 12), at least 1).
_base_ = [
    '../_base_/methods/aekt_cifar100.py',
    './bench_schedule.py',
    './bench_pair.py',
]
model = dict(
    student=_base_.student,
    teacher=_base_.teacher,
    teacher_ckpt=_base_.teacher_ckpt,
    distill_losses=dict(loss_aekt=dict(warmup_epochs=1)))
train_dataloader = dict(dataset=dict(data_root=_base_.embedded_data_root))
val_dataloader = dict(dataset=dict(data_root=_base_.embedded_data_root))
test_dataloader = val_dataloader

optim_wrapper = dict(
    # No weight decay on the task-serialization layer, as in the zoo leaves
    # (METHODS.md §11.2, OPEN-11).
    paramwise_cfg=dict(custom_keys={'distill_head': dict(decay_mult=0.0)}))
