# KD on CIFAR-100: T = 4, KD weight 0.9, CE weight 0.1, the CRD benchmark
# setting (mdistiller mdistiller/engine/cfg.py CFG.KD; RepDistiller
# scripts/run_cifar_distill.sh, -r 0.1 -a 0.9 --kd_T 4). Every pair uses it.
_base_ = ['./kd.py', '../datasets/cifar100_bs64.py']

model = dict(
    ce_weight=0.1,
    distill_losses=dict(loss_kd=dict(temperature=4.0, loss_weight=0.9)))
