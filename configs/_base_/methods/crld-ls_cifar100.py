# CRLD + logit standardization: mmlogitkd's own composition, in neither
# paper, with no published setting or result (unofficial). Details:
# docs/methods/ls.md, docs/methods/crld.md.
#
# CRLD (crld_cifar100.py) with both models' logits standardized in every KD
# term (the Z-score of kd-ls_cifar100.py) at the base temperature tau = 2; the
# confidence thresholds stay on the raw teacher logits. As LS does for KD, its
# weight w = 9 (the paper's default) multiplies the distillation term:
# loss_weight = 9 over CRLD's own within-view 2.0 and cross-view 0.5 weights
# (effectively 18 and 4.5). CE weight 1.0 per view (CRLD's CIFAR-100 value).
_base_ = ['./crld_cifar100.py']

model = dict(
    distill_losses=dict(
        loss_crld=dict(temperature=2.0, loss_weight=9.0, standardize=True)))
