# KD from a resnet8 teacher (trained by tiny_classifier.py) into a resnet8 student on tiny data (tests
# only). Data root and teacher checkpoint are set by the tests.
_base_ = ['./tiny_classifier.py']
model = dict(
    _delete_=True,
    type='LogitDistiller',
    student=dict(cfg_path='mmlogitkd::_base_/models/cifar100/resnet8.py'),
    teacher=dict(cfg_path='mmlogitkd::_base_/models/cifar100/resnet8.py'),
    teacher_ckpt=None,
    ce_weight=0.1,
    distill_losses=dict(
        loss_kd=dict(type='KDLoss', temperature=4.0, loss_weight=0.9)))
