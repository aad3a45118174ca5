"""CKD per pair: batch (per GPU), lr, loss_weight (CL_WEIGHT) and
temperature, in this order in every row. CE weight 1.0 and the per-GPU
negatives are in configs/_base_/methods/ckd*.py. See zoo/__init__.py for the
fields.

Every pair ships CKD's own recipe (cosine lr, 480 epochs on CIFAR-100, 200
on ImageNet) first and the dataset's common step schedule for comparison:
whether the paper's numbers used the long cosine schedules is unverified
(docs/methods/open_questions.md#open-9).
"""
_REPO = 'ZhouXinzzzzz/CKD@f16a145 '

SCHEDULES = {'cifar100': ('coslr-480e', '240e'),
             'in1k': ('coslr-200e', '100e')}


def _cfg(yaml: str) -> str:
    return _REPO + 'configs/cifar100/ckd/' + yaml


#: Pairs without a CKD config: the CFG.CKD defaults at batch 64.
_NO_CONFIG = ('unofficial: no CKD config for this pair; CFG.CKD defaults '
              '(' + _REPO + 'mdistiller/engine/cfg.py), batch 64')

VALUES = {
    'resnet56_resnet20': dict(
        batch=64, lr=0.05, loss_weight=10.0, temperature=1.0,
        source=_cfg('res56_res20.yaml')),
    'resnet110_resnet32': dict(
        batch=64, lr=0.05, loss_weight=10.0, temperature=1.0,
        source=_cfg('res110_res32.yaml')),
    'resnet110_resnet20': dict(
        batch=64, lr=0.05, loss_weight=10.0, temperature=1.0,
        unofficial=True, source=_NO_CONFIG),
    'resnet32x4_resnet8x4': dict(
        batch=64, lr=0.05, loss_weight=100.0, temperature=1.0,
        source=_cfg('res32x4_res8x4.yaml')),
    'wrn_40_2_wrn_16_2': dict(
        batch=64, lr=0.05, loss_weight=100.0, temperature=1.0,
        source=_cfg('wrn40_2_wrn_16_2.yaml')),
    'wrn_40_2_wrn_40_1': dict(
        batch=32, lr=0.05, loss_weight=50.0, temperature=2.0,
        source=_cfg('wrn40_2_wrn_40_1.yaml')),
    'vgg13_vgg8': dict(
        batch=64, lr=0.05, loss_weight=100.0, temperature=1.0,
        source=_cfg('vgg13_vgg8.yaml')),
    'resnet32x4_shufflenetv1': dict(
        batch=32, lr=0.01, loss_weight=100.0, temperature=1.0,
        source=_cfg('res32x4_shuv1.yaml')),
    'resnet32x4_shufflenetv2': dict(
        batch=64, lr=0.01, loss_weight=100.0, temperature=1.0,
        source=_cfg('res32x4_shuv2.yaml')),
    'wrn_40_2_shufflenetv1': dict(
        batch=32, lr=0.01, loss_weight=100.0, temperature=1.0,
        source=_cfg('wrn40_2_shuv1.yaml')),
    'vgg13_mobilenetv2': dict(
        batch=32, lr=0.01, loss_weight=50.0, temperature=2.0,
        source=_cfg('vgg13_mv2.yaml')),
    'resnet50_mobilenetv2': dict(
        batch=32, lr=0.01, loss_weight=100.0, temperature=1.0,
        source=_cfg('res50_mv2.yaml')),
    'resnet50_vgg8': dict(
        batch=64, lr=0.05, loss_weight=10.0, temperature=1.0,
        unofficial=True, source=_NO_CONFIG),
    'resnet32x4_wrn_16_2': dict(
        batch=64, lr=0.05, loss_weight=10.0, temperature=1.0,
        unofficial=True, source=_NO_CONFIG),
    'resnet32x4_wrn_40_2': dict(
        batch=64, lr=0.05, loss_weight=10.0, temperature=1.0,
        unofficial=True, source=_NO_CONFIG),
    'wrn_40_2_resnet8x4': dict(
        batch=64, lr=0.05, loss_weight=10.0, temperature=1.0,
        unofficial=True, source=_NO_CONFIG),
    'wrn_40_2_mobilenetv2': dict(
        batch=64, lr=0.01, loss_weight=10.0, temperature=1.0,
        unofficial=True, source=_NO_CONFIG),
    # ImageNet: 64 per GPU x 8 GPUs = the configs' total batch 512.
    'resnet34_resnet18': dict(
        batch=64, lr=0.2, loss_weight=10.0, temperature=1.0,
        source=_REPO + 'configs/imagenet/r34_r18/ckd.yaml'),
    'resnet50_mobilenet_v1': dict(
        batch=64, lr=0.2, loss_weight=10.0, temperature=1.0,
        source=_REPO + 'configs/imagenet/r50_mv1/ckd.yaml'),
}
