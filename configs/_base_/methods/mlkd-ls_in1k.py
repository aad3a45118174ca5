# MLKD + logit standardization on ImageNet-1k: unofficial. No ImageNet
# MLKD + LS setting was published (LS issues #16, #31). Our choice: MLKD's
# ImageNet host (mlkd_in1k.py: CE 0.5 per view, lr per pair) with the LS
# README's ImageNet flags tau = 2, w = 9
# (docs/methods/open_questions.md#open-6).
_base_ = ['./mlkd_in1k.py']

model = dict(
    distill_losses=dict(
        loss_mlkd=dict(
            temperatures=(2.0, 3.0, 5.0, 2.0, 6.0),
            loss_weight=9.0,
            standardize=True)))
