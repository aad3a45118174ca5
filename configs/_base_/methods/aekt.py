# AEKT: Park, Lee, "Adaptive Explicit Knowledge Transfer for Knowledge
# Distillation", arXiv 2409.01679. No official code exists and only the
# abstract was available, so this is mmlogitkd's interpretation: label its
# runs "AEKT (mmlogitkd interpretation)", never a reproduction. Details:
# docs/methods/aekt.md, docs/methods/open_questions.md#open-11.
#
# DKD's TCKD reweighted by the clipped teacher/student target-probability
# ratio (at most max_ratio) plus beta x NCKD, on the output of an
# identity-initialised CxC task-serialization layer; CE on the raw logits.
# Provisional defaults: alpha 1, max ratio 4, CE weight 1.0; T, warm-up and
# beta from DKD's setting for the dataset and pair (aekt_<dataset>.py, the
# leaves). Leaves turn weight decay off on the layer.
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
    distill_head=dict(type='TaskSerialization'),
    student_forward='separate')
