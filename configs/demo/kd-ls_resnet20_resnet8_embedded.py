# `make demo`: KD with logit standardization (Sun et al., CVPR 2024), the
# LS repo's default setting (METHODS.md §7.3: base temperature 2, weight 9,
# CE 0.1).
_base_ = ['./kd_resnet20_resnet8_embedded.py']
model = dict(
    distill_losses=dict(
        loss_kd=dict(temperature=2.0, loss_weight=9.0, standardize=True)))
