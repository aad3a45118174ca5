# CKD on CIFAR-100 at batch 32 on one GPU: the batch of CKD's configs for
# WRN-40-2 -> WRN-40-1, ResNet32x4 -> ShuffleNetV1, WRN-40-2 -> ShuffleNetV1,
# VGG13 -> MobileNetV2 and ResNet50 -> MobileNetV2
# (ZhouXinzzzzz/CKD@f16a145 configs/cifar100/ckd/*.yaml, BATCH_SIZE: 32).
# The InfoNCE takes its negatives from this batch, so it is part of the loss.
# Evaluation keeps batch 64. Leaves pair it with a *_bs32 schedule (the lr
# was set for a total batch of 32).
_base_ = ['./ckd_cifar100.py']

train_dataloader = dict(batch_size=32)
