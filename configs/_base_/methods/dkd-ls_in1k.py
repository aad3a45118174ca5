# DKD + logit standardization on ImageNet-1k: unofficial. The LS authors
# never published an ImageNet DKD + LS setting (LS issues #16, #31). Our
# choice: DKD's ImageNet host (dkd_in1k.py: alpha 1, beta per pair, no
# warm-up, CE 1.0) with the LS README's ImageNet flags tau = 2, w = 9
# (docs/methods/open_questions.md#open-6).
_base_ = ['./dkd_in1k.py']

model = dict(
    distill_losses=dict(
        loss_dkd=dict(temperature=2.0, loss_weight=9.0, standardize=True)))
