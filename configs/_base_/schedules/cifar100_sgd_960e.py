# MLKD's longest CIFAR-100 recipe, for ResNet32x4 -> ShuffleNetV1/V2: the
# 240-epoch recipe run for 960 epochs with the lr decay (x0.1) kept after
# epochs 150/180/210, as the MLKD configs
# (Jin-Ying/Multi-Level-Logit-Distillation@5ee473f
# configs/cifar100/ours/res32x4_shuv{1,2}.yaml: EPOCHS: 960), so epochs
# 211-960 run at 0.001 x the base lr. SGD momentum 0.9 (no Nesterov), wd
# 5e-4. The leaves set lr 0.01. docs/recipes.md#schedules.
_base_ = ['./cifar100_sgd_240e.py']

train_cfg = dict(max_epochs=960)
