# `make demo`: CRLD (Zhang et al., ACM MM 2024), CIFAR-100 setting
# (METHODS.md §9.2): weak + strong views, CE 1.0 on each view, T=4,
# within-view 2.0, cross-view 0.5, confidence thresholds 0.9 / 0.2.
_base_ = ['./embedded_two_view_base.py']
model = dict(
    type='LogitDistiller',
    student=dict(cfg_path='mmlogitkd::_base_/models/cifar100/resnet8.py'),
    teacher=dict(cfg_path='mmlogitkd::_base_/models/cifar100/resnet20.py'),
    teacher_ckpt='work_dirs/demo/teacher/epoch_8.pth',
    ce_weight=1.0,
    distill_losses=dict(
        loss_crld=dict(
            type='CRLDLoss',
            temperature=4.0,
            weak_threshold=0.9,
            strong_threshold=0.2,
            within_view_weight=2.0,
            cross_view_weight=0.5)),
    student_forward='separate')
