# MLKD on CIFAR-100: temperatures [4, 3, 5, 2, 6] (the first is
# CFG.KD.TEMPERATURE 4), KD weight 0.9 and CE weight 0.1 per view: the
# CFG.KD defaults of the MLKD repository (mdistiller/engine/cfg.py), which no
# configs/cifar100/ours/*.yaml overrides.
_base_ = ['./mlkd.py', '../datasets/cifar100_two_view_bs64.py']

model = dict(
    ce_weight=0.1,
    distill_losses=dict(
        loss_mlkd=dict(
            temperatures=(4.0, 3.0, 5.0, 2.0, 6.0), loss_weight=0.9)))
