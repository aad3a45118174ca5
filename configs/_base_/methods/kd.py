# KD: Hinton, Vinyals, Dean, "Distilling the Knowledge in a Neural Network",
# arXiv 1503.02531. Reference code: megvii-research/mdistiller@a08d46f
# mdistiller/distillers/KD.py. Details: docs/methods/kd.md.
#
#   loss = ce_weight * CE(s, y) + loss_weight * T^2 * KL(p_T(t) || p_T(s))
#
# with the KL summed over classes and averaged over the batch. T and both
# weights are per dataset (kd_cifar100.py, kd_in1k.py); nothing is per pair.
model = dict(
    type='LogitDistiller',
    distill_losses=dict(loss_kd=dict(type='KDLoss', standardize=False)),
    distill_head=None,
    student_forward='separate')
