# CKD's CIFAR-100 recipe (ZhouXinzzzzz/CKD@f16a145 configs/cifar100/ckd/
# *.yaml: EPOCHS: 480, LR_COSINE: True, LR_COSINE_MIN: 0.0): 480 epochs, SGD
# lr 0.05 (0.01 for MobileNetV2/ShuffleNet students, set in the leaves),
# momentum 0.9, wd 5e-4 as in the 240-epoch recipe, cosine lr to 0 stepped
# once per epoch: epoch e (1-indexed) trains at lr (1 + cos(pi (e - 1) /
# 480)) / 2. docs/recipes.md#schedules.
_base_ = ['./cifar100_sgd_240e.py']

param_scheduler = dict(
    # Replaces the step schedule of the base instead of merging into it.
    _delete_=True,
    type='CosineAnnealingLR',
    by_epoch=True,
    T_max=480,
    eta_min=0.0,
    begin=0,
    end=480)
train_cfg = dict(max_epochs=480)
