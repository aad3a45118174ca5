"""DKD's beta per pair; DKD's leaves and AEKT's (whose provisional beta is
DKD's, docs/methods/open_questions.md#open-11) read it. T, alpha, the CE
weight and the warm-up are per dataset, in configs/_base_/methods/dkd_*.py.
See zoo/__init__.py for the fields.
"""
_REPO = 'megvii-research/mdistiller@a08d46f '


def _cfg(yaml: str, block: bool = True) -> str:
    source = _REPO + 'configs/cifar100/dkd/' + yaml
    if not block:
        source += (' (no DKD block: the CFG.DKD default beta 8 of '
                   'mdistiller/engine/cfg.py)')
    return source


_NO_CONFIG = ('unofficial: no DKD config for this pair; the CFG.DKD default '
              'beta 8 (docs/methods/open_questions.md#open-4)')

VALUES = {
    'resnet56_resnet20': dict(beta=2.0, source=_cfg('res56_res20.yaml')),
    'resnet110_resnet32': dict(beta=2.0, source=_cfg('res110_res32.yaml')),
    'resnet110_resnet20': dict(beta=8.0, unofficial=True, source=_NO_CONFIG),
    'resnet32x4_resnet8x4': dict(
        beta=8.0, source=_cfg('res32x4_res8x4.yaml', block=False)),
    'wrn_40_2_wrn_16_2': dict(beta=6.0,
                              source=_cfg('wrn40_2_wrn_16_2.yaml')),
    'wrn_40_2_wrn_40_1': dict(beta=6.0,
                              source=_cfg('wrn40_2_wrn_40_1.yaml')),
    'vgg13_vgg8': dict(beta=6.0, source=_cfg('vgg13_vgg8.yaml')),
    'resnet32x4_shufflenetv1': dict(
        beta=8.0, source=_cfg('res32x4_shuv1.yaml', block=False)),
    'resnet32x4_shufflenetv2': dict(
        beta=8.0, source=_cfg('res32x4_shuv2.yaml', block=False)),
    'wrn_40_2_shufflenetv1': dict(
        beta=8.0, source=_cfg('wrn40_2_shuv1.yaml', block=False)),
    'vgg13_mobilenetv2': dict(beta=6.0, source=_cfg('vgg13_mv2.yaml')),
    'resnet50_mobilenetv2': dict(
        beta=8.0, source=_cfg('res50_mv2.yaml', block=False)),
    'resnet50_vgg8': dict(beta=8.0, unofficial=True, source=_NO_CONFIG),
    'resnet32x4_wrn_16_2': dict(beta=8.0, unofficial=True, source=_NO_CONFIG),
    'resnet32x4_wrn_40_2': dict(beta=8.0, unofficial=True, source=_NO_CONFIG),
    'wrn_40_2_resnet8x4': dict(beta=8.0, unofficial=True, source=_NO_CONFIG),
    'wrn_40_2_mobilenetv2': dict(beta=8.0, unofficial=True,
                                 source=_NO_CONFIG),
    'resnet34_resnet18': dict(
        beta=0.5, source=_REPO + 'configs/imagenet/r34_r18/dkd.yaml'),
    'resnet50_mobilenet_v1': dict(
        beta=2.0, source=_REPO + 'configs/imagenet/r50_mv1/dkd.yaml'),
}
