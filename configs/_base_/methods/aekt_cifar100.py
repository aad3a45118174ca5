# AEKT on CIFAR-100: T = 4 and a 20-epoch warm-up as DKD on CIFAR-100
# (provisional, docs/methods/open_questions.md#open-11); beta is the DKD beta
# of the pair, set by every leaf (8 here).
_base_ = ['./aekt.py', '../datasets/cifar100_bs64.py']

model = dict(
    distill_losses=dict(
        loss_aekt=dict(temperature=4.0, beta=8.0, warmup_epochs=20)))
