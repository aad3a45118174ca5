# DKD on ImageNet-1k: T = 1 and warm-up 1 epoch, i.e. none (mdistiller
# configs/imagenet/{r34_r18,r50_mv1}/dkd.yaml). beta is per pair (0.5 for
# R34 -> R18, 2.0 for R50 -> MV1) and every leaf states it; 0.5 here.
_base_ = ['./dkd.py', '../datasets/imagenet_bs64.py']

model = dict(
    distill_losses=dict(
        loss_dkd=dict(temperature=1.0, beta=0.5, warmup_epochs=1)))
