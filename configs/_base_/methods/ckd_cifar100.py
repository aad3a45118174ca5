# CKD on CIFAR-100 at batch 64 on one GPU: the loss of ckd.py; weight and
# temperature are per pair (every leaf sets them). Pairs that CKD's configs
# run at batch 32 use ckd_cifar100_bs32.py.
_base_ = ['./ckd.py', '../datasets/cifar100_bs64.py']
