# MLKD + logit standardization (Sun et al., CVPR 2024). Official code:
# sunshangquan/logit-standardization-KD@f6e5aa5
# mdistiller/distillers/MLKD.py. Details: docs/methods/ls.md.
#
# MLKD (mlkd_cifar100.py) with the KD terms of both views on standardized
# logits (the Z-score of kd-ls_cifar100.py) at temperatures [tau, 3, 5, 2,
# 6]; the class- and batch-correlation terms stay on raw logits. CE weight
# 0.1 per view, MLKD's own: LS leaves the host's CE weight unchanged (the
# paper's supplement lists 1.0 for MLKD, which is not the MLKD code's value;
# the logged runs used the MLKD code's recipe, whose lr and epochs they show).
#
# (tau, w) are per pair, from the log file names
# logs/MLKD/mlkd,<teacher>,<student>,<tau>,<w>.txt; every leaf sets them,
# with MLKD's lr and the logs' epochs (tools/misc/zoo/mlkd_ls.py). Pairs
# without a log use the paper's default tau = 2, w = 9, the values here.
_base_ = ['./mlkd_cifar100.py']

model = dict(
    distill_losses=dict(
        loss_mlkd=dict(
            temperatures=(2.0, 3.0, 5.0, 2.0, 6.0),
            loss_weight=9.0,
            standardize=True)))
