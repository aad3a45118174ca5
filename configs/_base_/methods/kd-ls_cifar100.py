# KD + logit standardization: Sun, Ren, Li, Wang, Cao, "Logit
# Standardization in Knowledge Distillation", CVPR 2024, arXiv 2403.01427.
# Official code: sunshangquan/logit-standardization-KD@f6e5aa5
# mdistiller/distillers/KD.py, tools/train.py. Details: docs/methods/ls.md.
#
# Both models' logits are Z-scored per sample, (z - mean) / (std + 1e-7),
# before the softmax at the base temperature tau; the factor is tau^2, and CE
# stays on the raw logits with KD's weight 0.1. std is PyTorch's unbiased
# std, as in the code that produced the logs; the paper's supplement writes
# the population std (a fixed sqrt((C - 1) / C) change of the temperature).
#
# (tau, w) are per pair, from the repository's log file names
# logs/KD/kd,<teacher>,<student>,<tau>,<w>.txt (runs of the code); every leaf
# sets them (tools/misc/zoo/kd_ls.py). Pairs without a log use the paper's
# default tau = 2, w = 9 (supplement, section 2; also the CLI defaults of
# tools/train.py), the values here.
_base_ = ['./kd_cifar100.py']

model = dict(
    distill_losses=dict(
        loss_kd=dict(temperature=2.0, loss_weight=9.0, standardize=True)))
