# MLKD's long CIFAR-100 recipe: the 240-epoch recipe run for 480 epochs with
# the lr decay (x0.1) kept after epochs 150/180/210, as the MLKD configs
# (Jin-Ying/Multi-Level-Logit-Distillation@5ee473f
# configs/cifar100/ours/{vgg13_mv2,res50_mv2,wrn40_2_shuv1}.yaml: EPOCHS: 480),
# so epochs 211-480 run at 0.001 x the base lr. SGD momentum 0.9 (no
# Nesterov), wd 5e-4. MLKD leaves set their per-pair lr (0.025 or 0.01).
# docs/recipes.md#schedules.
_base_ = ['./cifar100_sgd_240e.py']

train_cfg = dict(max_epochs=480)
