# AEKT: Park, Lee, "Adaptive Explicit Knowledge Transfer for Knowledge
# Distillation", arXiv 2409.01679. No official code exists and only the
# abstract was available, so this is mmlogitkd's interpretation: label its
# runs "AEKT (mmlogitkd interpretation)", never a reproduction. Details:
# docs/methods/aekt.md, docs/methods/open_questions.md#open-11.
#
# DKD's TCKD reweighted by the clipped teacher/student target-probability
# ratio (at most max_ratio) plus beta x NCKD, on the student's logits; CE on
# the same logits. The abstract's task-serialization layer (a learned C x C
# layer between the logits and the distillation loss, model.distill_head =
# dict(type='TaskSerialization')) is left out: in our ablation it kept the
# classifier near chance at its full learning rate and trained worse than
# no layer at every smaller one (docs/methods/aekt.md#design-decisions-and-
# ablations). Provisional defaults: alpha 1, max ratio 4, CE weight 1.0; T,
# warm-up and beta from DKD's setting for the dataset and pair
# (aekt_<dataset>.py, the leaves).
model = dict(
    type='LogitDistiller',
    ce_weight=1.0,
    distill_losses=dict(
        loss_aekt=dict(
            type='AEKTLoss',
            alpha=1.0,
            max_ratio=4.0,
            loss_weight=1.0,
            eps=1e-08)),
    distill_head=None,
    student_forward='separate')
