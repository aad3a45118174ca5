# DKD + logit standardization (Sun et al., CVPR 2024). Official code:
# sunshangquan/logit-standardization-KD@f6e5aa5 mdistiller/distillers/DKD.py,
# tools/train.py. Details: docs/methods/ls.md.
#
# DKD (dkd_cifar100.py: CE weight 1.0, warm-up 20 epochs) on standardized
# logits (the Z-score of kd-ls_cifar100.py) with T = tau. The code multiplies
# alpha and beta by w (--kd-weight); alpha = 1, beta = beta, loss_weight = w
# give the same loss, beta read as the value before the x w
# (docs/methods/open_questions.md#open-5).
#
# (tau, w, beta) are per pair, from the log file names
# logs/DKD/dkd,<teacher>,<student>,<tau>,<w>[,<beta>].txt (runs of the code);
# every leaf sets them (tools/misc/zoo/dkd_ls.py). Paper and code disagree on
# the default weight: the paper uses w = 12 for DKD + LS (supplement, section
# 2), the README's example command 9. Pairs without a log follow the paper:
# tau = 2, w = 12, the values here.
_base_ = ['./dkd_cifar100.py']

model = dict(
    distill_losses=dict(
        loss_dkd=dict(temperature=2.0, loss_weight=12.0, standardize=True)))
