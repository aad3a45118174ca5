"""The teacher -> student pairs of the config zoo, what every method shares
about them (display names, the standard lr rule, datasets) and the published
results the READMEs and metafiles show.

Each pair's base config, ``configs/_base_/pairs/<teacher>_<student>_<dataset>
.py``, is written by hand; this list decides which leaves exist.
"""

#: Every pair, by dataset, in README order: the 13 pairs of the CRD benchmark
#: (RepDistiller README), then the cross-architecture pairs that the tables of
#: the LS paper add; ImageNet: mdistiller's two pairs.
PAIRS = {
    'cifar100': (
        dict(teacher='resnet56', student='resnet20'),
        dict(teacher='resnet110', student='resnet32'),
        dict(teacher='resnet110', student='resnet20'),
        dict(teacher='resnet32x4', student='resnet8x4'),
        dict(teacher='wrn_40_2', student='wrn_16_2'),
        dict(teacher='wrn_40_2', student='wrn_40_1'),
        dict(teacher='vgg13', student='vgg8'),
        dict(teacher='resnet32x4', student='shufflenetv1'),
        dict(teacher='resnet32x4', student='shufflenetv2'),
        dict(teacher='wrn_40_2', student='shufflenetv1'),
        dict(teacher='vgg13', student='mobilenetv2'),
        dict(teacher='resnet50', student='mobilenetv2'),
        dict(teacher='resnet50', student='vgg8'),
        dict(teacher='resnet32x4', student='wrn_16_2'),
        dict(teacher='resnet32x4', student='wrn_40_2'),
        dict(teacher='wrn_40_2', student='resnet8x4'),
        dict(teacher='wrn_40_2', student='mobilenetv2'),
    ),
    'in1k': (
        dict(teacher='resnet34', student='resnet18'),
        dict(teacher='resnet50', student='mobilenet_v1'),
    ),
}

#: What the leaves of a dataset share. ``gpus`` x ``batch`` (per GPU) is the
#: recipe's total batch (the CIFAR-100 configs are read as one GPU,
#: docs/methods/open_questions.md#open-1); ``lr`` is the lr of its schedule
#: bases and ``schedule`` the common schedule (docs/recipes.md#schedules).
DATASETS = {
    'cifar100': dict(name='CIFAR-100', gpus=1, batch=64, lr=0.05,
                     schedule='240e', schedule_prefix='cifar100'),
    'in1k': dict(name='ImageNet-1k', gpus=8, batch=64, lr=0.2,
                 schedule='100e', schedule_prefix='imagenet'),
}

#: CIFAR-100 students trained at lr 0.01 instead of 0.05: RepDistiller's
#: train_student.py hard-codes it, and the mdistiller, MLKD, CRLD and CKD
#: configs of these students follow.
LIGHT_STUDENTS = ('mobilenetv2', 'shufflenetv1', 'shufflenetv2')


def pair_name(pair: dict) -> str:
    """``'<teacher>_<student>'``, the key of every per-pair table."""
    return f"{pair['teacher']}_{pair['student']}"


def standard_lr(dataset: str, pair: dict) -> float:
    """The standard recipe's lr: CIFAR-100 0.05 (0.01 for a MobileNetV2 or
    ShuffleNet student), ImageNet 0.2 (docs/recipes.md#schedules)."""
    if dataset == 'cifar100' and pair['student'] in LIGHT_STUDENTS:
        return 0.01
    return DATASETS[dataset]['lr']


#: Display names in READMEs and metafiles.
ARCH_NAMES = {
    'resnet20': 'ResNet20', 'resnet32': 'ResNet32', 'resnet56': 'ResNet56',
    'resnet110': 'ResNet110', 'resnet8x4': 'ResNet8x4',
    'resnet32x4': 'ResNet32x4', 'resnet50': 'ResNet50',
    'wrn_16_2': 'WRN-16-2', 'wrn_40_1': 'WRN-40-1', 'wrn_40_2': 'WRN-40-2',
    'vgg8': 'VGG8', 'vgg13': 'VGG13', 'mobilenetv2': 'MobileNetV2',
    'shufflenetv1': 'ShuffleNetV1', 'shufflenetv2': 'ShuffleNetV2',
    'resnet18': 'ResNet-18', 'resnet34': 'ResNet-34',
    'mobilenet_v1': 'MobileNetV1',
}

# ---------------------------------------------------------------------------
# Published top-1 (%), by method key and pair, each with its source; only
# numbers printed there (docs/published_results.md). They attach to the
# method's recipe leaf for the pair (the first schedule of its table row).
# ---------------------------------------------------------------------------
CRD = ('RepDistiller README, CRD benchmark, last epoch '
       '(docs/published_results.md#crd-benchmark)')
DKD = 'mdistiller README (docs/published_results.md#dkd)'
LS = 'LS repo README (docs/published_results.md#ls)'
LS_TABLE3 = ('LS paper, Table 3 (ImageNet; the authors\' project page) '
             '(docs/published_results.md#imagenet)')
LS_UNKNOWN_BETA = (LS + '; its DKD beta is unknown '
                   '(docs/methods/open_questions.md#open-4)')

#: The LS README's CIFAR-100 table, by pair: its MLKD, KD+LS, DKD+LS and
#: MLKD+LS rows.
_LS_TABLE = {
    'resnet32x4_resnet8x4': dict(mlkd=77.08, kd_ls=76.62, dkd_ls=77.01,
                                 mlkd_ls=78.28),
    'vgg13_vgg8': dict(mlkd=75.18, kd_ls=74.36, dkd_ls=74.81, mlkd_ls=75.22),
    'wrn_40_2_wrn_40_1': dict(mlkd=75.35, kd_ls=74.37, dkd_ls=74.89,
                              mlkd_ls=75.56),
    'wrn_40_2_wrn_16_2': dict(mlkd=76.63, kd_ls=76.11, dkd_ls=76.39,
                              mlkd_ls=76.95),
    'resnet56_resnet20': dict(mlkd=72.19, kd_ls=71.43, dkd_ls=72.32,
                              mlkd_ls=72.33),
    'resnet110_resnet32': dict(mlkd=74.11, kd_ls=74.17, dkd_ls=74.29,
                               mlkd_ls=74.32),
    'resnet110_resnet20': dict(mlkd=71.89, kd_ls=71.48, dkd_ls=71.85,
                               mlkd_ls=72.27),
    'resnet32x4_shufflenetv2': dict(mlkd=78.44, kd_ls=75.56, dkd_ls=77.37,
                                    mlkd_ls=78.76),
    'resnet32x4_wrn_16_2': dict(mlkd=76.52, kd_ls=75.26, dkd_ls=76.19,
                                mlkd_ls=77.53),
    'resnet32x4_wrn_40_2': dict(mlkd=79.26, kd_ls=77.92, dkd_ls=78.95,
                                mlkd_ls=79.66),
    'wrn_40_2_resnet8x4': dict(mlkd=77.33, kd_ls=77.11, dkd_ls=76.75,
                               mlkd_ls=77.68),
    'wrn_40_2_mobilenetv2': dict(mlkd=70.78, kd_ls=69.23, dkd_ls=70.01,
                                 mlkd_ls=71.61),
    'vgg13_mobilenetv2': dict(mlkd=70.57, kd_ls=68.61, dkd_ls=69.98,
                              mlkd_ls=70.94),
    'resnet50_mobilenetv2': dict(mlkd=71.04, kd_ls=69.02, dkd_ls=70.45,
                                 mlkd_ls=71.19),
}


def _ls_row(row: str, source: str = LS) -> dict:
    return {pair: dict(top1=rows[row], source=source)
            for pair, rows in _LS_TABLE.items()}


PUBLISHED = {
    'kd': {
        'wrn_40_2_wrn_16_2': dict(top1=74.92, source=CRD),
        'wrn_40_2_wrn_40_1': dict(top1=73.54, source=CRD),
        'resnet56_resnet20': dict(top1=70.66, source=CRD),
        'resnet110_resnet20': dict(top1=70.67, source=CRD),
        'resnet110_resnet32': dict(top1=73.08, source=CRD),
        'resnet32x4_resnet8x4': dict(top1=73.33, source=CRD),
        'vgg13_vgg8': dict(top1=72.98, source=CRD),
        'vgg13_mobilenetv2': dict(top1=67.37, source=CRD),
        'resnet50_mobilenetv2': dict(top1=67.35, source=CRD),
        'resnet50_vgg8': dict(top1=73.81, source=CRD),
        'resnet32x4_shufflenetv1': dict(top1=74.07, source=CRD),
        'resnet32x4_shufflenetv2': dict(top1=74.45, source=CRD),
        'wrn_40_2_shufflenetv1': dict(top1=74.83, source=CRD),
        'resnet32x4_wrn_16_2': dict(top1=74.90, source=LS),
        'resnet32x4_wrn_40_2': dict(top1=77.70, source=LS),
        'wrn_40_2_resnet8x4': dict(top1=73.97, source=LS),
        'wrn_40_2_mobilenetv2': dict(top1=68.36, source=LS),
        'resnet34_resnet18': dict(top1=71.03, source=DKD),
        'resnet50_mobilenet_v1': dict(top1=70.50, source=DKD),
    },
    'dkd': {
        'resnet56_resnet20': dict(top1=71.97, source=DKD),
        'resnet110_resnet32': dict(top1=74.11, source=DKD),
        'resnet32x4_resnet8x4': dict(top1=76.32, source=DKD),
        'wrn_40_2_wrn_16_2': dict(top1=76.23, source=DKD),
        'wrn_40_2_wrn_40_1': dict(top1=74.81, source=DKD),
        'vgg13_vgg8': dict(top1=74.68, source=DKD),
        'resnet32x4_shufflenetv1': dict(top1=76.45, source=DKD),
        'wrn_40_2_shufflenetv1': dict(top1=76.70, source=DKD),
        'vgg13_mobilenetv2': dict(top1=69.71, source=DKD),
        'resnet50_mobilenetv2': dict(top1=70.35, source=DKD),
        # The README's header says MobileNet-V2; the pair is ShuffleNet-V2
        # (its KD number is the CRD ShuffleNetV2 one, and the LS README
        # lists 77.07 for ShuffleNet-V2).
        'resnet32x4_shufflenetv2': dict(top1=77.07, source=DKD),
        'resnet110_resnet20': dict(top1=71.06, source=LS_UNKNOWN_BETA),
        'resnet32x4_wrn_16_2': dict(top1=75.70, source=LS_UNKNOWN_BETA),
        'resnet32x4_wrn_40_2': dict(top1=78.46, source=LS_UNKNOWN_BETA),
        'wrn_40_2_resnet8x4': dict(top1=75.56, source=LS_UNKNOWN_BETA),
        'wrn_40_2_mobilenetv2': dict(top1=69.28, source=LS_UNKNOWN_BETA),
        'resnet34_resnet18': dict(top1=71.70, source=DKD),
        'resnet50_mobilenet_v1': dict(top1=72.05, source=DKD),
    },
    'kd-ls': {
        **_ls_row('kd_ls'),
        'resnet34_resnet18': dict(top1=71.42, source=LS_TABLE3),
        'resnet50_mobilenet_v1': dict(top1=72.18, source=LS_TABLE3),
    },
    'dkd-ls': {
        **_ls_row('dkd_ls'),
        'resnet34_resnet18': dict(top1=71.88, source=LS_TABLE3),
        'resnet50_mobilenet_v1': dict(top1=72.85, source=LS_TABLE3),
    },
    'mlkd-ls': {
        **_ls_row('mlkd_ls'),
        'resnet34_resnet18': dict(top1=72.08, source=LS_TABLE3),
        'resnet50_mobilenet_v1': dict(top1=73.22, source=LS_TABLE3),
    },
    'mlkd': {
        **_ls_row('mlkd', LS + ', its MLKD row'),
        'resnet34_resnet18': dict(top1=71.90,
                                  source=LS_TABLE3 + ', its MLKD row'),
        'resnet50_mobilenet_v1': dict(top1=73.01,
                                      source=LS_TABLE3 + ', its MLKD row'),
    },
}
