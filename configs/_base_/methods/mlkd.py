# MLKD: Jin, Wang, Lin, "Multi-Level Logit Distillation", CVPR 2023. Official
# code: Jin-Ying/Multi-Level-Logit-Distillation@5ee473f
# mdistiller/distillers/KD_ours.py. Details: docs/methods/mlkd.md.
#
# A weak and a strong view of each image (docs/recipes.md#strong-view); KL at
# five temperatures plus class- and batch-correlation terms, gated by
# teacher-confidence masks. faithful=True keeps the official code's
# behaviour, quirks included (docs/methods/mlkd.md#quirks). The temperatures
# and both weights are per dataset (mlkd_cifar100.py, mlkd_in1k.py); lr and
# epochs are per pair (tools/misc/zoo/mlkd.py).
model = dict(
    type='LogitDistiller',
    distill_losses=dict(
        loss_mlkd=dict(type='MLKDLoss', standardize=False, faithful=True)),
    distill_head=None,
    # One student forward per view, so batch-norm statistics are per view as
    # in the official code (two separate student calls in KD_ours.py).
    student_forward='separate')
