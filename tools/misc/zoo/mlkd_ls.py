"""MLKD + logit standardization per pair: tau as the first of the
temperatures (tau, 3, 5, 2, 6), w as loss_weight, with MLKD's lr and the
epochs of the LS logs. The CE weight and the standardization are in
configs/_base_/methods/mlkd-ls_*.py. See zoo/__init__.py for the fields.

On CIFAR-100 the values are those in the file names of the logs of the
official code's runs, logs/MLKD/mlkd,<teacher>,<student>,<tau>,<w>.txt
(docs/methods/ls.md#per-pair-values). The logs ran MLKD's lr for the pair
(they print it; zoo/mlkd.py) for 480 epochs, ResNet32x4 -> ShuffleNetV2 for
960; pairs without a log take the same recipe (960 epochs for both
ResNet32x4 -> ShuffleNet pairs, as MLKD). The common 240 epochs ship too.
"""
_REPO = 'sunshangquan/logit-standardization-KD@f6e5aa5 '


def _log(name: str) -> str:
    return f'{_REPO}logs/MLKD/{name}.txt file name; lr MLKD\'s'


_NO_LOG = ('unofficial: no LS log for this pair; the paper\'s default tau 2, '
           'w 9, with MLKD\'s lr and the logs\' epochs')
#: ImageNet: no code or log; the paper's setting, whose lr 0.2 is not the
#: 0.1 of the repository's configs/imagenet/r34_r18/mlkd.yaml for R34 -> R18.
_IMAGENET = ('the paper\'s ImageNet setting tau 2, w 9, CE 0.5, lr 0.2 '
             '(supplement, section 2; no code or log)')

VALUES = {
    'resnet56_resnet20': dict(
        temperatures=(2.0, 3.0, 5.0, 2.0, 6.0), loss_weight=9.0, lr=0.025,
        schedules=('480e', '240e'), unofficial=True, source=_NO_LOG),
    'resnet110_resnet32': dict(
        temperatures=(2.0, 3.0, 5.0, 2.0, 6.0), loss_weight=9.0, lr=0.025,
        schedules=('480e', '240e'), source=_log('mlkd,res110,res32,2,9')),
    'resnet110_resnet20': dict(
        temperatures=(2.0, 3.0, 5.0, 2.0, 6.0), loss_weight=9.0, lr=0.025,
        schedules=('480e', '240e'), source=_log('mlkd,res110,res20,2,9')),
    'resnet32x4_resnet8x4': dict(
        temperatures=(2.0, 3.0, 5.0, 2.0, 6.0), loss_weight=9.0, lr=0.025,
        schedules=('480e', '240e'),
        source=_log('mlkd,resnet32x4,resnet8x4,2,9')),
    'wrn_40_2_wrn_16_2': dict(
        temperatures=(2.0, 3.0, 5.0, 2.0, 6.0), loss_weight=9.0, lr=0.025,
        schedules=('480e', '240e'),
        source=_log('mlkd,wrn_40_2,wrn_16_2,2,9')),
    'wrn_40_2_wrn_40_1': dict(
        temperatures=(2.0, 3.0, 5.0, 2.0, 6.0), loss_weight=9.0, lr=0.025,
        schedules=('480e', '240e'),
        source=_log('mlkd,wrn_40_2,wrn_40_1,2,9')),
    'vgg13_vgg8': dict(
        temperatures=(2.0, 3.0, 5.0, 2.0, 6.0), loss_weight=6.0, lr=0.025,
        schedules=('480e', '240e'), source=_log('mlkd,vgg13,vgg8,2,6')),
    'resnet32x4_shufflenetv1': dict(
        temperatures=(2.0, 3.0, 5.0, 2.0, 6.0), loss_weight=9.0, lr=0.01,
        schedules=('960e', '240e'), unofficial=True, source=_NO_LOG),
    'resnet32x4_shufflenetv2': dict(
        temperatures=(2.0, 3.0, 5.0, 2.0, 6.0), loss_weight=6.0, lr=0.01,
        schedules=('960e', '240e'),
        source=_log('mlkd,resnet32x4,ShuffleV2,2,6')),
    'wrn_40_2_shufflenetv1': dict(
        temperatures=(2.0, 3.0, 5.0, 2.0, 6.0), loss_weight=9.0, lr=0.01,
        schedules=('480e', '240e'), unofficial=True, source=_NO_LOG),
    'vgg13_mobilenetv2': dict(
        temperatures=(2.0, 3.0, 5.0, 2.0, 6.0), loss_weight=6.0, lr=0.01,
        schedules=('480e', '240e'),
        source=_log('mlkd,vgg13,MobileNetV2,2,6')),
    'resnet50_mobilenetv2': dict(
        temperatures=(2.0, 3.0, 5.0, 2.0, 6.0), loss_weight=9.0, lr=0.01,
        schedules=('480e', '240e'), source=_log('mlkd,res50,mv2,2,9')),
    'resnet50_vgg8': dict(
        temperatures=(2.0, 3.0, 5.0, 2.0, 6.0), loss_weight=9.0, lr=0.025,
        schedules=('480e', '240e'), unofficial=True, source=_NO_LOG),
    'resnet32x4_wrn_16_2': dict(
        temperatures=(2.0, 3.0, 5.0, 2.0, 6.0), loss_weight=9.0, lr=0.025,
        schedules=('480e', '240e'),
        source=_log('mlkd,resnet32x4,wrn_16_2,2,9')),
    'resnet32x4_wrn_40_2': dict(
        temperatures=(2.0, 3.0, 5.0, 2.0, 6.0), loss_weight=9.0, lr=0.025,
        schedules=('480e', '240e'),
        source=_log('mlkd,resnet32x4,wrn_40_2,2,9')),
    'wrn_40_2_resnet8x4': dict(
        temperatures=(2.0, 3.0, 5.0, 2.0, 6.0), loss_weight=9.0, lr=0.025,
        schedules=('480e', '240e'),
        source=_log('mlkd,wrn_40_2,resnet8x4,2,9')),
    'wrn_40_2_mobilenetv2': dict(
        temperatures=(2.0, 3.0, 5.0, 2.0, 6.0), loss_weight=9.0, lr=0.01,
        schedules=('480e', '240e'), unofficial=True, source=_NO_LOG),
    'resnet34_resnet18': dict(
        temperatures=(2.0, 3.0, 5.0, 2.0, 6.0), loss_weight=9.0, lr=0.2,
        source=_IMAGENET),
    'resnet50_mobilenet_v1': dict(
        temperatures=(2.0, 3.0, 5.0, 2.0, 6.0), loss_weight=9.0, lr=0.2,
        source=_IMAGENET),
}
