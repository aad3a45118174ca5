"""DKD + logit standardization per pair: tau as temperature, w as
loss_weight and beta (the code's alpha' = w, beta' = beta w). The CE weight,
the warm-up and the standardization are in configs/_base_/methods/dkd-ls_*.py.
See zoo/__init__.py for the fields.

On CIFAR-100 the values are those in the file names of the logs of the
official code's runs, logs/DKD/dkd,<teacher>,<student>,<tau>,<w>[,<beta>].txt;
a name without beta ran the CFG.DKD default beta 8
(docs/methods/ls.md#per-pair-values). Where no log exists, and on ImageNet,
the rows follow the paper's setting (supplement, section 2): w 12, not the 9
of the README's example command.
"""
from . import dkd

_REPO = 'sunshangquan/logit-standardization-KD@f6e5aa5 '


def _log(name: str) -> str:
    source = f'{_REPO}logs/DKD/{name}.txt file name'
    if name.count(',') == 4:
        source += ' (no beta: the CFG.DKD default 8)'
    return source


def _no_log(pair: str) -> dict:
    """No LS log: the paper's tau and w, beta the pair's DKD beta."""
    return dict(temperature=2.0, beta=dkd.VALUES[pair]['beta'],
                loss_weight=12.0, unofficial=True,
                source='unofficial: no LS log for this pair; the paper\'s '
                'DKD+LS default tau 2, w 12 (supplement, section 2; the '
                'README example uses 9), beta the pair\'s DKD beta '
                '(zoo/dkd.py)')


def _imagenet(pair: str) -> dict:
    """The paper's ImageNet setting; no code or log gives one."""
    return dict(temperature=2.0, beta=dkd.VALUES[pair]['beta'],
                loss_weight=12.0,
                source='the paper\'s ImageNet setting tau 2, w 12, CE 0.5 '
                '(supplement, section 2; no code or log), beta the pair\'s '
                'DKD beta (zoo/dkd.py)')


VALUES = {
    'resnet56_resnet20': dict(
        temperature=3.0, beta=2.0, loss_weight=18.0,
        source=_log('dkd,resnet56,resnet20,3,18,2.0')),
    'resnet110_resnet32': dict(
        temperature=2.0, beta=2.0, loss_weight=15.0,
        source=_log('dkd,resnet110,resnet32,2,15,2.0')),
    'resnet110_resnet20': dict(
        temperature=2.0, beta=2.0, loss_weight=15.0,
        source=_log('dkd,resnet110,resnet20,2,15,2.0')),
    'resnet32x4_resnet8x4': dict(
        temperature=2.0, beta=8.0, loss_weight=9.0,
        source=_log('dkd,resnet32x4,resnet8x4,2,9')),
    'wrn_40_2_wrn_16_2': dict(
        temperature=2.0, beta=2.0, loss_weight=12.0,
        source=_log('dkd,wrn_40_2,wrn_16_2,2,12,2.0')),
    'wrn_40_2_wrn_40_1': dict(
        temperature=2.0, beta=2.0, loss_weight=12.0,
        source=_log('dkd,wrn_40_2,wrn_40_1,2,12,2.0')),
    'vgg13_vgg8': dict(
        temperature=2.0, beta=2.0, loss_weight=15.0,
        source=_log('dkd,vgg13,vgg8,2,15,2.0')),
    'resnet32x4_shufflenetv1': _no_log('resnet32x4_shufflenetv1'),
    'resnet32x4_shufflenetv2': dict(
        temperature=2.0, beta=8.0, loss_weight=9.0,
        source=_log('dkd,resnet32x4,ShuffleV2,2,9')),
    'wrn_40_2_shufflenetv1': _no_log('wrn_40_2_shufflenetv1'),
    'vgg13_mobilenetv2': dict(
        temperature=3.0, beta=2.0, loss_weight=9.0,
        source=_log('dkd,vgg13,MobileNetV2,3,9,2.0')),
    'resnet50_mobilenetv2': dict(
        temperature=2.0, beta=2.0, loss_weight=15.0,
        source=_log('dkd,ResNet50,MobileNetV2,2,15,2.0')),
    'resnet50_vgg8': _no_log('resnet50_vgg8'),
    'resnet32x4_wrn_16_2': dict(
        temperature=2.0, beta=2.0, loss_weight=9.0,
        source=_log('dkd,resnet32x4,wrn_16_2,2,9,2.0')),
    'resnet32x4_wrn_40_2': dict(
        temperature=2.0, beta=8.0, loss_weight=9.0,
        source=_log('dkd,resnet32x4,wrn_40_2,2,9,8.0')),
    'wrn_40_2_resnet8x4': dict(
        temperature=2.0, beta=2.0, loss_weight=18.0,
        source=_log('dkd,wrn_40_2,resnet8x4,2,18,2.0')),
    'wrn_40_2_mobilenetv2': dict(
        temperature=2.0, beta=2.0, loss_weight=15.0,
        source=_log('dkd,wrn_40_2,MobileNetV2,2,15,2.0')),
    'resnet34_resnet18': _imagenet('resnet34_resnet18'),
    'resnet50_mobilenet_v1': _imagenet('resnet50_mobilenet_v1'),
}
