"""Backbones of the distillation benchmarks: the CRD CIFAR-100 model zoo and
ImageNet MobileNetV1
(docs/model_zoo.md#reference-definitions-and-checkpoint-conventions).

Every class is registered into MMPretrain's ``MODELS``, so both
``default_scope='mmlogitkd'`` configs and plain MMPretrain configs with
``custom_imports=dict(imports=['mmlogitkd'])`` can name it. The CIFAR
ResNet50 teacher is MMPretrain's ``ResNet_CIFAR(depth=50)`` and the ImageNet
ResNets are MMPretrain's ``ResNet(style='pytorch')``.
"""
from .channel_shuffle import channel_shuffle
from .cifar_mobilenet_v2 import CIFARMobileNetV2
from .cifar_resnet import CIFARResNet
from .cifar_shufflenet_v1 import CIFARShuffleNetV1
from .cifar_shufflenet_v2 import CIFARShuffleNetV2
from .cifar_vgg import CIFARVGG
from .mobilenet_v1 import MobileNetV1
from .wide_resnet import WideResNet

__all__ = [
    'CIFARResNet', 'WideResNet', 'CIFARVGG', 'CIFARMobileNetV2',
    'CIFARShuffleNetV1', 'CIFARShuffleNetV2', 'MobileNetV1',
    'channel_shuffle'
]
