# CRLD: Zhang, Liu, Cai, Ma, "Cross-View Consistency Regularisation for
# Knowledge Distillation", ACM MM 2024, arXiv 2412.16493. Official code:
# arcaninez/CRLD@fe42473 mdistiller/distillers/CRLD.py (identical to the copy
# in the fork scx-822/CRLD-main@c9d6657, our earlier reference). Details:
# docs/methods/crld.md.
#
# A weak and a strong view of each image (docs/recipes.md#strong-view); KD
# within each view and across the views, gated by teacher confidence.
# Within-view weight 2.0, cross-view weight 0.5 and thresholds 0.9 (weak) /
# 0.2 (strong) are the CFG.CRLD defaults (mdistiller/engine/cfg.py), which no
# official config overrides on CIFAR-100 or ImageNet. T and the CE weight are
# per dataset (crld_cifar100.py, crld_in1k.py).
model = dict(
    type='LogitDistiller',
    distill_losses=dict(
        loss_crld=dict(
            type='CRLDLoss',
            weak_threshold=0.9,
            strong_threshold=0.2,
            within_view_weight=2.0,
            cross_view_weight=0.5,
            standardize=False)),
    distill_head=None,
    # One student forward per view, so batch-norm statistics are per view as
    # in the official code (two separate student calls in CRLD.py).
    student_forward='separate')
