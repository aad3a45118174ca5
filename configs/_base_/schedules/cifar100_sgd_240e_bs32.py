# The standard CIFAR-100 recipe (cifar100_sgd_240e.py) for CKD's batch-32
# pairs (ckd_cifar100_bs32.py), compared at the common schedule: the lr was
# set for a total batch of 32, which --auto-scale-lr scales from.
_base_ = ['./cifar100_sgd_240e.py']

auto_scale_lr = dict(base_batch_size=32)
