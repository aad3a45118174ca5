# The standard CIFAR-100 recipe (docs/recipes.md#schedules; mdistiller
# configs/cifar100/*, RepDistiller train_student.py): 240 epochs, SGD lr 0.05,
# momentum 0.9 (no Nesterov), wd 5e-4, lr ×0.1 after epochs 150/180/210.
# MobileNetV2/ShuffleNet students override lr to 0.01 in their configs.
optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4,
        nesterov=False))
param_scheduler = dict(
    type='MultiStepLR', by_epoch=True, milestones=[150, 180, 210], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=240, val_interval=1)
val_cfg = dict()
test_cfg = dict()
# The recipe's total batch: 64 (one GPU). --auto-scale-lr rescales lr to the
# actual total batch.
auto_scale_lr = dict(base_batch_size=64)
