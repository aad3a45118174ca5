"""MobileNetV1 for ImageNet, as used by mdistiller for ResNet-50 ->
MobileNet-V1 distillation.

Reference: mdistiller ``mdistiller/models/imagenet/mobilenetv1.py``
(github.com/megvii-research/mdistiller; Zhao et al., "Decoupled Knowledge
Distillation", CVPR 2022), after Howard et al., "MobileNets: Efficient
Convolutional Neural Networks for Mobile Vision Applications" (2017).
MMPretrain 1.2.0 has no MobileNetV1. Layout and module names:
docs/model_zoo.md#state-dict-naming.
"""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmpretrain.models.backbones.base_backbone import BaseBackbone

from mmlogitkd.registry import register_to_mmpretrain
from .conv_bn_relu import conv_bn_relu
from .stage_outputs import forward_stages, normalize_out_indices


def depthwise_separable(in_channels: int, out_channels: int,
                        stride: int) -> nn.Sequential:
    """Depthwise 3x3 (stride) + BN + ReLU, pointwise 1x1 + BN + ReLU: keys
    ``0``, ``1``, ``3``, ``4``."""
    return nn.Sequential(
        *conv_bn_relu(in_channels, in_channels, 3, stride,
                      groups=in_channels),
        *conv_bn_relu(in_channels, out_channels, 1, 1))


@register_to_mmpretrain('MODELS')
class MobileNetV1(BaseBackbone):
    """MobileNetV1 (width 1.0) for 224x224 ImageNet inputs.

    ``model.0`` is the stride-2 stem (3 -> 32); ``model.1..13`` are the
    depthwise-separable layers listed in :attr:`layer_settings`. The
    reference's ``model.14`` (``AvgPool2d(7)`` over the 7x7 map) and ``fc``
    are the ``GlobalAveragePooling`` neck and ``head.fc``.

    Args:
        out_indices (Sequence[int]): Indices into ``model`` (0..13) whose
            outputs are returned. Configs set ``(13, )``.
        init_cfg (dict | list[dict], optional): MMEngine initialisation.
            The reference keeps PyTorch's defaults, hence ``None``.
    """

    stem_channels = 32
    #: (output channels, stride) of the depthwise-separable layers 1..13
    layer_settings = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1),
                      (512, 2), (512, 1), (512, 1), (512, 1), (512, 1),
                      (512, 1), (1024, 2), (1024, 1))

    def __init__(self,
                 out_indices: Sequence[int] = (13, ),
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        num_layers = len(self.layer_settings) + 1
        self.out_indices = normalize_out_indices(out_indices, num_layers,
                                                 'MobileNetV1')
        layers = [conv_bn_relu(3, self.stem_channels, 3, 2)]
        in_channels = self.stem_channels
        for out_channels, stride in self.layer_settings:
            layers.append(depthwise_separable(in_channels, out_channels,
                                              stride))
            in_channels = out_channels
        self.model = nn.Sequential(*layers)
        self.out_channels = (self.stem_channels, ) + tuple(
            channels for channels, _ in self.layer_settings)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        _, outs = forward_stages(x, self.model, self.out_indices)
        return tuple(outs)
