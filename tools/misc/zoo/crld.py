"""CRLD's lr per pair; CRLD's leaves and CRLD + LS's read it. Everything
else is per dataset (configs/_base_/methods/crld_*.py: the CFG.CRLD defaults,
which no official CIFAR-100 config overrides). See zoo/__init__.py for the
fields.

The official configs (arcaninez/CRLD@fe42473 configs/cifar100/crld/*.yaml,
the same files as in the fork scx-822/CRLD-main@c9d6657) all train 240
epochs at batch 64, lr 0.05 or 0.01 for MobileNetV2/ShuffleNetV2 students.
There are none for ShuffleNetV1 students, ResNet110 -> ResNet20, ResNet50 ->
VGG8 and ResNet32x4 -> WRN-40-2, which get the same lr rule.
"""
_REPO = 'arcaninez/CRLD@fe42473 '


def _cfg(yaml: str) -> str:
    return _REPO + 'configs/cifar100/crld/' + yaml


_NO_CONFIG = ('no CRLD config for this pair: the CFG.CRLD defaults and the '
              'standard lr rule')

VALUES = {
    'resnet56_resnet20': dict(lr=0.05, source=_cfg('res56_res20.yaml')),
    'resnet110_resnet32': dict(lr=0.05, source=_cfg('res110_res32.yaml')),
    'resnet110_resnet20': dict(lr=0.05, source=_NO_CONFIG),
    'resnet32x4_resnet8x4': dict(lr=0.05,
                                 source=_cfg('res32x4_res8x4.yaml')),
    'wrn_40_2_wrn_16_2': dict(lr=0.05, source=_cfg('wrn40_2_wrn16_2.yaml')),
    'wrn_40_2_wrn_40_1': dict(lr=0.05, source=_cfg('wrn40_2_wrn40_1.yaml')),
    'vgg13_vgg8': dict(lr=0.05, source=_cfg('vgg13_vgg8.yaml')),
    'resnet32x4_shufflenetv1': dict(lr=0.01, source=_NO_CONFIG),
    'resnet32x4_shufflenetv2': dict(lr=0.01,
                                    source=_cfg('res32x4_shuv2.yaml')),
    'wrn_40_2_shufflenetv1': dict(lr=0.01, source=_NO_CONFIG),
    'vgg13_mobilenetv2': dict(lr=0.01, source=_cfg('vgg13_mv2.yaml')),
    'resnet50_mobilenetv2': dict(lr=0.01, source=_cfg('res50_mv2.yaml')),
    'resnet50_vgg8': dict(lr=0.05, source=_NO_CONFIG),
    'resnet32x4_wrn_16_2': dict(lr=0.05,
                                source=_cfg('res32x4_wrn_16_2.yaml')),
    'resnet32x4_wrn_40_2': dict(lr=0.05, source=_NO_CONFIG),
    'wrn_40_2_resnet8x4': dict(lr=0.05, source=_cfg('wrn40_2_res8x4.yaml')),
    'wrn_40_2_mobilenetv2': dict(lr=0.01, source=_cfg('wrn40_2_mv2.yaml')),
    'resnet34_resnet18': dict(
        lr=0.2, source=_REPO + 'configs/imagenet/r34_r18/crld.yaml'),
    'resnet50_mobilenet_v1': dict(
        lr=0.2, source=_REPO + 'configs/imagenet/r50_mv1/crld.yaml'),
}
