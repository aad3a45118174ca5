# CRLD on CIFAR-100: T = 4 and CE weight 1.0 per view, the CFG.CRLD defaults
# of arcaninez/CRLD@fe42473 (no configs/cifar100/crld/*.yaml overrides them).
# lr per pair: tools/misc/zoo/crld.py.
_base_ = ['./crld.py', '../datasets/cifar100_two_view_bs64.py']

model = dict(
    ce_weight=1.0,
    distill_losses=dict(loss_crld=dict(temperature=4.0)))
