# CKD's CIFAR-100 recipe (cifar100_sgd_coslr_480e.py) for the pairs that
# CKD's configs train at batch 32 on one GPU (ckd_cifar100_bs32.py): the lr
# was set for a total batch of 32, which --auto-scale-lr scales from.
_base_ = ['./cifar100_sgd_coslr_480e.py']

auto_scale_lr = dict(base_batch_size=32)
