# AEKT on ImageNet-1k: T = 1 and warm-up 1 epoch (none) as DKD on ImageNet
# (provisional, docs/methods/open_questions.md#open-11); beta is the DKD beta
# of the pair, set by every leaf (0.5 here).
_base_ = ['./aekt.py', '../datasets/imagenet_bs64.py']

model = dict(
    distill_losses=dict(
        loss_aekt=dict(temperature=1.0, beta=0.5, warmup_epochs=1)))
