# KD + logit standardization on ImageNet-1k (docs/methods/ls.md): KD
# (kd_in1k.py) on standardized logits as in kd-ls_cifar100.py, with the
# paper's ImageNet setting for both pairs of its Table 3: tau = 2, w = 9, CE
# weight 0.1 (supplement, section 2).
#
# Paper and code disagree on the CE weight: the README command
# (--logit-stand --base-temp 2 --kd-weight 9) runs the repository's
# configs/imagenet/r34_r18/kd.yaml, whose CE_WEIGHT is 1.0. We follow the
# paper, whose table came from its own setting: no log shows otherwise (the
# one ImageNet log, logs/imagenet/r34_r18_kd_ours.txt, names no setting and
# its loss scale fits neither: docs/methods/open_questions.md#open-6).
_base_ = ['./kd_in1k.py']

model = dict(
    ce_weight=0.1,
    distill_losses=dict(
        loss_kd=dict(temperature=2.0, loss_weight=9.0, standardize=True)))
