"""MLKD's lr and schedules per pair; the temperatures and weights are per
dataset (configs/_base_/methods/mlkd_*.py). See zoo/__init__.py for the
fields.

MLKD's CIFAR-100 configs at 5ee473f train same-family pairs 240 epochs at lr
0.025, MobileNetV2 students and WRN-40-2 -> ShuffleNetV1 480 epochs at lr
0.01 and ResNet32x4 -> ShuffleNetV1/V2 960 epochs at lr 0.01, the lr decay
kept at 150/180/210 (docs/recipes.md#schedules). The recipe comes first in
``schedules``; same-family pairs also ship 480 epochs, the schedule of the
earlier revision that the LS logs ran
(docs/methods/open_questions.md#open-12), and the long recipes the common
240 epochs, for comparison.
"""
_REPO = 'Jin-Ying/Multi-Level-Logit-Distillation@5ee473f '


def _cfg(yaml: str) -> str:
    return _REPO + 'configs/cifar100/ours/' + yaml


#: Pairs without an MLKD config: MLKD's lr and epochs for such a student.
_NO_CONFIG = ('unofficial: no MLKD config for this pair; MLKD\'s lr and '
              'epochs for its student')

VALUES = {
    'resnet56_resnet20': dict(lr=0.025, schedules=('240e', '480e'),
                              source=_cfg('res56_res20.yaml')),
    'resnet110_resnet32': dict(lr=0.025, schedules=('240e', '480e'),
                               source=_cfg('res110_res32.yaml')),
    'resnet110_resnet20': dict(lr=0.025, schedules=('240e', '480e'),
                               unofficial=True, source=_NO_CONFIG),
    'resnet32x4_resnet8x4': dict(lr=0.025, schedules=('240e', '480e'),
                                 source=_cfg('res32x4_res8x4.yaml')),
    'wrn_40_2_wrn_16_2': dict(lr=0.025, schedules=('240e', '480e'),
                              source=_cfg('wrn40_2_wrn_16_2.yaml')),
    'wrn_40_2_wrn_40_1': dict(lr=0.025, schedules=('240e', '480e'),
                              source=_cfg('wrn40_2_wrn_40_1.yaml')),
    'vgg13_vgg8': dict(lr=0.025, schedules=('240e', '480e'),
                       source=_cfg('vgg13_vgg8.yaml')),
    'resnet32x4_shufflenetv1': dict(lr=0.01, schedules=('960e', '240e'),
                                    source=_cfg('res32x4_shuv1.yaml')),
    'resnet32x4_shufflenetv2': dict(lr=0.01, schedules=('960e', '240e'),
                                    source=_cfg('res32x4_shuv2.yaml')),
    'wrn_40_2_shufflenetv1': dict(lr=0.01, schedules=('480e', '240e'),
                                  source=_cfg('wrn40_2_shuv1.yaml')),
    'vgg13_mobilenetv2': dict(lr=0.01, schedules=('480e', '240e'),
                              source=_cfg('vgg13_mv2.yaml')),
    'resnet50_mobilenetv2': dict(lr=0.01, schedules=('480e', '240e'),
                                 source=_cfg('res50_mv2.yaml')),
    'resnet50_vgg8': dict(lr=0.025, schedules=('240e', '480e'),
                          unofficial=True, source=_NO_CONFIG),
    'resnet32x4_wrn_16_2': dict(lr=0.025, schedules=('240e', '480e'),
                                unofficial=True, source=_NO_CONFIG),
    'resnet32x4_wrn_40_2': dict(lr=0.025, schedules=('240e', '480e'),
                                unofficial=True, source=_NO_CONFIG),
    'wrn_40_2_resnet8x4': dict(lr=0.025, schedules=('240e', '480e'),
                               unofficial=True, source=_NO_CONFIG),
    'wrn_40_2_mobilenetv2': dict(lr=0.01, schedules=('480e', '240e'),
                                 unofficial=True, source=_NO_CONFIG),
    'resnet34_resnet18': dict(
        lr=0.1, source=_REPO + 'configs/imagenet/r34_r18/kd_ours.yaml'),
    'resnet50_mobilenet_v1': dict(
        lr=0.2, unofficial=True,
        source='unofficial: MLKD\'s ImageNet ResNet-50 config trains a '
        'MobileNetV2; its lr (' + _REPO +
        'configs/imagenet/r50_mv2/kd_ours.yaml)'),
}
