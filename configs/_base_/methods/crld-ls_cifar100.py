# CRLD + logit standardization: mmlogitkd's own composition, in neither
# paper, with no published setting or result (unofficial). CRLD
# (crld_cifar100.py) with both models' logits standardized in every KD
# term; LS's rule for DKD (weights x w) applied to the within- and
# cross-view weights, with tau = 2, w = 9: within 2.0 x 9 = 18.0, cross
# 0.5 x 9 = 4.5. The thresholds stay on the raw teacher confidence.
# CE weight 1.0 per view (CRLD's CIFAR-100 value).
_base_ = ['./crld_cifar100.py']

model = dict(
    distill_losses=dict(
        loss_crld=dict(
            temperature=2.0,
            within_view_weight=18.0,
            cross_view_weight=4.5,
            standardize=True)))
