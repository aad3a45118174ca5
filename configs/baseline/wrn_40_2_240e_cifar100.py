# WRN-40-2 trained alone on CIFAR-100 (the no-distillation baseline of the
# CRD/DKD tables) with the standard student recipe (docs/recipes.md#schedules).
_base_ = [
    '../_base_/models/cifar100/wrn_40_2.py',
    '../_base_/datasets/cifar100_bs64.py',
    '../_base_/schedules/cifar100_sgd_240e.py',
    '../_base_/default_runtime.py',
]
