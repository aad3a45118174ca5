# ShuffleNetV1 trained alone on CIFAR-100 (the no-distillation baseline of the
# CRD/DKD tables) with the standard student recipe (docs/recipes.md#schedules).
_base_ = [
    '../_base_/models/cifar100/shufflenetv1.py',
    '../_base_/datasets/cifar100_bs64.py',
    '../_base_/schedules/cifar100_sgd_240e.py',
    '../_base_/default_runtime.py',
]

# MobileNetV2 and ShuffleNetV1/V2 use lr 0.01 instead of 0.05
# (RepDistiller train_student.py/train_teacher.py, mdistiller configs).
optim_wrapper = dict(optimizer=dict(lr=0.01))
