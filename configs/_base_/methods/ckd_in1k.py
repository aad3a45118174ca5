# CKD on ImageNet-1k: weight 10, temperature 1, CE weight 1.0
# (ZhouXinzzzzz/CKD@f16a145 configs/imagenet/{r34_r18,r50_mv1}/ckd.yaml),
# total batch 512 = 64 per GPU x 8 GPUs, negatives per GPU.
_base_ = ['./ckd.py', '../datasets/imagenet_bs64.py']
