# KD on ImageNet-1k: T = 1, KD weight 0.5, CE weight 0.5 (mdistiller
# configs/imagenet/{r34_r18,r50_mv1}/kd.yaml).
_base_ = ['./kd.py', '../datasets/imagenet_bs64.py']

model = dict(
    ce_weight=0.5,
    distill_losses=dict(loss_kd=dict(temperature=1.0, loss_weight=0.5)))
