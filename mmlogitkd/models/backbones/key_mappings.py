"""How the state-dict keys of the original CIFAR-100/ImageNet architectures
map to ours.

The CIFAR-100 teachers everyone distils from were saved by RepDistiller
(HobbitLong/RepDistiller) and redistributed by mdistiller
(megvii-research/mdistiller@a08d46f); the ImageNet teachers are torchvision
ResNets and the ImageNet student is mdistiller's MobileNetV1. Our backbones
keep the original module names, so a key maps by prefixing ``backbone.`` and
renaming the classifier to ``head.fc`` (``docs/model_zoo.md``). Used by
:func:`mmlogitkd.checkpoint.convert.convert_checkpoint`.
"""
from dataclasses import dataclass
from typing import Dict, Tuple


@dataclass(frozen=True)
class KeyMapping:
    """How the state-dict keys of one original architecture map to ours.

    Args:
        classifier (str): Module name of the original classifier (``fc``,
            ``linear``, ``classifier`` or ``classifier.0``); it becomes
            ``head.fc``.
        renames (tuple[tuple[str, str]]): Substring renames applied to the
            other keys before the ``backbone.`` prefix is added.
    """
    classifier: str
    renames: Tuple[Tuple[str, str], ...] = ()

    def map_key(self, key: str) -> str:
        """Our key for the original ``key``."""
        if key.startswith(self.classifier + '.'):
            return 'head.fc.' + key[len(self.classifier) + 1:]
        for old, new in self.renames:
            key = key.replace(old, new)
        return 'backbone.' + key


_FC = KeyMapping('fc')
_VGG = KeyMapping('classifier')
_SHUFFLENET = KeyMapping('linear')

#: CIFAR-100 zoo; names are those of
#: ``configs/_base_/models/cifar100/<name>.py``.
CIFAR100_KEY_MAPPINGS: Dict[str, KeyMapping] = {
    **{name: _FC for name in (
        'resnet8', 'resnet14', 'resnet20', 'resnet32', 'resnet44',
        'resnet56', 'resnet110', 'resnet8x4', 'resnet32x4')},
    # RepDistiller resnetv2.py -> MMPretrain ResNet_CIFAR(depth=50)
    'resnet50': KeyMapping('linear', renames=(('.shortcut.', '.downsample.'),
                                              )),
    **{name: _FC for name in ('wrn_16_1', 'wrn_16_2', 'wrn_40_1', 'wrn_40_2')},
    **{name: _VGG for name in ('vgg8', 'vgg11', 'vgg13', 'vgg16', 'vgg19')},
    'mobilenetv2': KeyMapping('classifier.0'),
    'shufflenetv1': _SHUFFLENET,
    'shufflenetv2': _SHUFFLENET,
}

#: ImageNet: torchvision ResNets (keys identical to MMPretrain ``ResNet``
#: after the prefix) and mdistiller's MobileNetV1. Names are those of
#: ``configs/_base_/models/imagenet/<name>.py``.
IMAGENET_KEY_MAPPINGS: Dict[str, KeyMapping] = {
    name: _FC
    for name in ('resnet18', 'resnet34', 'resnet50', 'mobilenet_v1')
}

#: dataset folder under ``configs/_base_/models`` -> key mappings
KEY_MAPPINGS: Dict[str, Dict[str, KeyMapping]] = {
    'cifar100': CIFAR100_KEY_MAPPINGS,
    'imagenet': IMAGENET_KEY_MAPPINGS,
}
