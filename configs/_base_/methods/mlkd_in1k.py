# MLKD on ImageNet-1k: temperatures [1, 3, 5, 2, 6], KD weight 0.5 and CE
# weight 0.5 per view (MLKD configs/imagenet/{r34_r18,r50_mv2}/kd_ours.yaml).
# lr is per pair (tools/misc/zoo/mlkd.py).
_base_ = ['./mlkd.py', '../datasets/imagenet_two_view_bs64.py']

model = dict(
    ce_weight=0.5,
    distill_losses=dict(
        loss_mlkd=dict(
            temperatures=(1.0, 3.0, 5.0, 2.0, 6.0), loss_weight=0.5)))
