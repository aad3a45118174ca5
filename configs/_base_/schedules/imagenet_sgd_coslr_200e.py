# CKD's ImageNet-1k recipe (ZhouXinzzzzz/CKD@f16a145 configs/imagenet/
# {r34_r18,r50_mv1}/ckd.yaml: EPOCHS: 200, LR_COSINE: True): 200 epochs,
# total batch 512, SGD lr 0.2, momentum 0.9, wd 1e-4 as in the 100-epoch
# recipe, cosine lr to 0 stepped once per epoch. docs/recipes.md#schedules.
_base_ = ['./imagenet_sgd_100e.py']

param_scheduler = dict(
    # Replaces the step schedule of the base instead of merging into it.
    _delete_=True,
    type='CosineAnnealingLR',
    by_epoch=True,
    T_max=200,
    eta_min=0.0,
    begin=0,
    end=200)
train_cfg = dict(max_epochs=200)
