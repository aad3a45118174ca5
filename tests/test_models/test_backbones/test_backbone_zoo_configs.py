"""Every architecture config of the benchmark zoo: exact parameter and
state-dict entry counts against docs/model_zoo.md#the-reference-models,
forward shapes, registration
into MMPretrain, and the teacher/baseline training configs
(docs/recipes.md#schedules)."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS

import mmlogitkd  # noqa: F401  (registers the backbones)
from mmlogitkd.models.backbones import (CIFARMobileNetV2, CIFARResNet,
                                        CIFARShuffleNetV1, CIFARShuffleNetV2,
                                        CIFARVGG, MobileNetV1, WideResNet)
from mmlogitkd.registry import MODELS

REPO_ROOT = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
CONFIGS = osp.join(REPO_ROOT, 'configs')

# docs/model_zoo.md#the-reference-models: (params, state-dict entries) with a
# 100-class (CIFAR) or
# 1000-class (ImageNet) classifier.
CIFAR100_TABLE = {
    'resnet8': (83892, 56),
    'resnet14': (181108, 92),
    'resnet20': (278324, 128),
    'resnet32': (472756, 200),
    'resnet44': (667188, 272),
    'resnet56': (861620, 344),
    'resnet110': (1736564, 668),
    'resnet8x4': (1233540, 62),
    'resnet32x4': (7433860, 206),
    'resnet50': (23705252, 320),
    'wrn_16_1': (180916, 82),
    'wrn_16_2': (703284, 83),
    'wrn_40_1': (569780, 226),
    'wrn_40_2': (2255156, 227),
    'vgg8': (3965028, 37),
    'vgg11': (9277284, 58),
    'vgg13': (9462180, 72),
    'vgg16': (14774436, 93),
    'vgg19': (20086692, 114),
    'mobilenetv2': (812836, 320),
    'shufflenetv1': (949258, 296),
    'shufflenetv2': (1355528, 338),
}
IMAGENET_TABLE = {
    'resnet18': (11689512, 122),
    'resnet34': (21797672, 218),
    'resnet50': (25557032, 320),
    'mobilenet_v1': (4231976, 164),
}
# (channels, height) of the last feature map: 32x32 CIFAR, 224x224 ImageNet
LAST_FEATURE = {
    **{name: (64, 8) for name in ('resnet8', 'resnet14', 'resnet20',
                                  'resnet32', 'resnet44', 'resnet56',
                                  'resnet110', 'wrn_16_1', 'wrn_40_1')},
    'resnet8x4': (256, 8), 'resnet32x4': (256, 8), 'resnet50': (2048, 4),
    'wrn_16_2': (128, 8), 'wrn_40_2': (128, 8),
    **{name: (512, 4) for name in ('vgg8', 'vgg11', 'vgg13', 'vgg16',
                                   'vgg19')},
    'mobilenetv2': (1280, 2), 'shufflenetv1': (960, 4),
    'shufflenetv2': (1024, 4),
}
IMAGENET_LAST_FEATURE = {'resnet18': (512, 7), 'resnet34': (512, 7),
                         'resnet50': (2048, 7), 'mobilenet_v1': (1024, 7)}


def model_config(dataset, name):
    return osp.join(CONFIGS, '_base_', 'models', dataset, f'{name}.py')


def build(model_cfg):
    with DefaultScope.overwrite_default_scope('mmlogitkd'):
        return MODELS.build(model_cfg)


def count(model):
    return (sum(p.numel() for p in model.parameters()),
            len(model.state_dict()))


def test_every_architecture_has_a_config():
    for dataset, table in (('cifar100', CIFAR100_TABLE),
                           ('imagenet', IMAGENET_TABLE)):
        folder = osp.join(CONFIGS, '_base_', 'models', dataset)
        for name in table:
            assert osp.isfile(osp.join(folder, f'{name}.py')), name


@pytest.mark.parametrize(
    'dataset,name,size',
    [('cifar100', name, 32) for name in CIFAR100_TABLE] +
    [('imagenet', name, 224) for name in IMAGENET_TABLE])
def test_counts_and_shapes(dataset, name, size):
    cfg = Config.fromfile(model_config(dataset, name))
    assert '_scope_' not in cfg.model and '.' not in cfg.model.backbone.type
    assert 'data_preprocessor' not in cfg.model
    model = build(cfg.model).eval()
    table = CIFAR100_TABLE if dataset == 'cifar100' else IMAGENET_TABLE
    assert count(model) == table[name]

    batch = 1  # shapes do not depend on it; keeps the big models cheap
    inputs = torch.randn(batch, 3, size, size)
    with torch.no_grad():
        features = model.backbone(inputs)
        logits = model(inputs, mode='tensor')
    assert isinstance(features, tuple) and len(features) == 1
    channels, height = (LAST_FEATURE if dataset == 'cifar100' else
                        IMAGENET_LAST_FEATURE)[name]
    assert features[-1].shape == (batch, channels, height, height)
    assert cfg.model.head.in_channels == channels
    assert logits.shape == (batch, cfg.model.head.num_classes)
    assert cfg.model.head.num_classes == (100 if dataset == 'cifar100' else
                                          1000)


@pytest.mark.parametrize('backbone_cls', [
    CIFARResNet, WideResNet, CIFARVGG, CIFARMobileNetV2, CIFARShuffleNetV1,
    CIFARShuffleNetV2, MobileNetV1
])
def test_registered_in_mmpretrain(backbone_cls):
    assert MMPRETRAIN_MODELS.get(backbone_cls.__name__) is backbone_cls


def test_plain_mmpretrain_scope_builds_a_zoo_model():
    # what a plain MMPretrain config with custom_imports=['mmlogitkd'] does
    cfg = Config.fromfile(model_config('cifar100', 'wrn_16_1'))
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MMPRETRAIN_MODELS.build(cfg.model)
    assert isinstance(model.backbone, WideResNet)


TEACHERS = ['resnet56', 'resnet110', 'resnet32x4', 'wrn_40_2', 'vgg13',
            'resnet50']
BASELINES = ['resnet20', 'resnet32', 'resnet8x4', 'wrn_16_2', 'wrn_40_1',
             'vgg8', 'shufflenetv1', 'shufflenetv2', 'mobilenetv2',
             'wrn_40_2']
LIGHT = {'mobilenetv2', 'shufflenetv1', 'shufflenetv2'}


@pytest.mark.parametrize(
    'folder,name', [('teachers', name) for name in TEACHERS] +
    [('baseline', name) for name in BASELINES])
def test_training_configs_follow_the_standard_recipe(folder, name):
    cfg = Config.fromfile(osp.join(CONFIGS, folder,
                                   f'{name}_240e_cifar100.py'))
    assert cfg.default_scope == 'mmlogitkd'
    # the architecture is exactly the zoo model config
    assert cfg.model == Config.fromfile(model_config('cifar100',
                                                     name)).model
    # docs/recipes.md#schedules: SGD 0.05 (0.01 for MobileNetV2/ShuffleNets),
    # momentum
    # 0.9, wd 5e-4, x0.1 at 150/180/210, 240 epochs, batch 64
    optimizer = cfg.optim_wrapper.optimizer
    assert optimizer.type == 'SGD'
    assert optimizer.lr == (0.01 if name in LIGHT else 0.05)
    assert optimizer.momentum == 0.9 and optimizer.weight_decay == 5e-4
    assert not optimizer.get('nesterov', False)
    schedulers = cfg.param_scheduler
    schedulers = schedulers if isinstance(schedulers, list) else [schedulers]
    assert [(s.type, list(s.milestones), s.gamma) for s in schedulers] == \
        [('MultiStepLR', [150, 180, 210], 0.1)]
    assert cfg.train_cfg.max_epochs == 240
    assert cfg.train_dataloader.batch_size == 64

    # The model part equals the zoo config, whose build is tested above;
    # what the leaf adds is the dataset's preprocessor.
    preprocessor = build(cfg.data_preprocessor)
    assert list(preprocessor.mean.flatten()) == pytest.approx(
        [129.3105, 124.1085, 112.404])
