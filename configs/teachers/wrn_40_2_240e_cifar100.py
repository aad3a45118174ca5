# Train the CIFAR-100 WRN-40-2 teacher from scratch with the RepDistiller
# train_teacher.py recipe (docs/recipes.md#schedules); the published teachers
# are the last epoch (ckpt_epoch_240.pth), i.e. this run's epoch_240/last
# checkpoint.
_base_ = [
    '../_base_/models/cifar100/wrn_40_2.py',
    '../_base_/datasets/cifar100_bs64.py',
    '../_base_/schedules/cifar100_sgd_240e.py',
    '../_base_/default_runtime.py',
]
