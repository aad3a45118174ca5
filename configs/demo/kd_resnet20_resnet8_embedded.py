# `make demo`: the resnet8 student distilled from the resnet20 teacher with
# Hinton KD, CIFAR-100 setting (METHODS.md §5: T=4, CE 0.1, KD 0.9).
# tools/demo.py points model.teacher_ckpt at the teacher run.
_base_ = ['./embedded_base.py']
model = dict(
    type='LogitDistiller',
    student=dict(cfg_path='mmlogitkd::_base_/models/cifar100/resnet8.py'),
    teacher=dict(cfg_path='mmlogitkd::_base_/models/cifar100/resnet20.py'),
    teacher_ckpt='work_dirs/demo/teacher/epoch_8.pth',
    ce_weight=0.1,
    distill_losses=dict(
        loss_kd=dict(type='KDLoss', temperature=4.0, loss_weight=0.9)))
