# `make demo`, step 1: the teacher, a CIFAR resnet20.
_base_ = ['../_base_/models/cifar100/resnet20.py', './embedded_base.py']
