# `make demo`, step 2: the student, a CIFAR resnet8, trained alone.
_base_ = ['../_base_/models/cifar100/resnet8.py', './embedded_base.py']
