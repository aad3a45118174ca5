# CRLD on ImageNet-1k: T = 1 and CE weight 2.0 per view (arcaninez/CRLD@fe42473
# configs/imagenet/{r34_r18,r50_mv1}/crld.yaml). Total batch 512 as in
# r50_mv1/crld.yaml; r34_r18/crld.yaml reads "BATCH_SIZE: 64 # 512", taken as
# 512 (docs/methods/open_questions.md#open-8).
_base_ = ['./crld.py', '../datasets/imagenet_two_view_bs64.py']

model = dict(
    ce_weight=2.0,
    distill_losses=dict(loss_crld=dict(temperature=1.0)))
