# DKD: Zhao, Cui, Song, Qiu, Liang, "Decoupled Knowledge Distillation", CVPR
# 2022, arXiv 2203.08679. Official code: megvii-research/mdistiller@a08d46f
# mdistiller/distillers/DKD.py. Details: docs/methods/dkd.md.
#
#   loss = ce_weight * CE(s, y)
#          + min(epoch / warmup_epochs, 1) * loss_weight * T^2
#            * (alpha * TCKD + beta * NCKD)
#
# alpha 1 and CE weight 1.0 are the defaults of mdistiller's CFG.DKD
# (mdistiller/engine/cfg.py), which no official config overrides. T and the
# warm-up are per dataset (dkd_cifar100.py, dkd_in1k.py), beta per pair:
# every leaf sets it (tools/misc/zoo/dkd.py, with its source).
model = dict(
    type='LogitDistiller',
    ce_weight=1.0,
    distill_losses=dict(
        loss_dkd=dict(
            type='DKDLoss', alpha=1.0, loss_weight=1.0, standardize=False)),
    distill_head=None,
    student_forward='separate')
