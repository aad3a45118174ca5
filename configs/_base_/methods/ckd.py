# CKD: Zhu, Zhou, Zhu, Wang, Hu, "CKD: Contrastive Knowledge Distillation
# from a Sample-wise Perspective", arXiv 2404.14109. Official code:
# ZhouXinzzzzz/CKD@f16a145 mdistiller/distillers/CKD.py. Details:
# docs/methods/ckd.md.
#
# InfoNCE over the BxB cosine similarities between the teacher's and the
# student's L2-normalised logits of one batch, positives on the diagonal.
# The negatives come from the per-GPU batch (gather=False, as the official
# DataParallel code: docs/methods/open_questions.md#open-10), so the per-GPU
# batch is part of the method. CE weight 1.0, weight 10 and temperature 1
# are the CFG.CKD defaults (mdistiller/engine/cfg.py) and the ImageNet
# setting; on CIFAR-100 every leaf sets weight, temperature and batch
# (tools/misc/zoo/ckd.py).
model = dict(
    type='LogitDistiller',
    ce_weight=1.0,
    distill_losses=dict(
        loss_ckd=dict(
            type='CKDLoss', temperature=1.0, loss_weight=10.0, gather=False)),
    distill_head=None,
    student_forward='separate')
