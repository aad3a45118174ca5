"""The CIFAR MobileNetV2 of the CRD model zoo ("mobile_half": expansion 6,
width x 0.5).

Reference: RepDistiller ``models/mobilenetv2.py`` (``mobile_half``; Tian,
Krishnan, Isola, ICLR 2020, github.com/HobbitLong/RepDistiller; same in
mdistiller ``mdistiller/models/cifar/mobilenetv2.py``), after Sandler et
al., "MobileNetV2: Inverted Residuals and Linear Bottlenecks" (CVPR 2018).
It differs from MMPretrain's ``MobileNetV2``: ReLU instead of ReLU6, an
expansion convolution even for t = 1, a stride-2 stem on 32x32 inputs, and a
1280-channel last convolution that is not width-scaled. Layout, module names
and initialisation: docs/model_zoo.md#state-dict-naming.
"""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmpretrain.models.backbones.base_backbone import BaseBackbone

from mmlogitkd.registry import register_to_mmpretrain
from .conv_bn_relu import conv_bn_relu
from .reference_init import CRD_CONV_BN_INIT
from .stage_outputs import forward_stages, normalize_out_indices


class CIFARInvertedResidual(nn.Module):
    """Inverted residual: 1x1 expand, 3x3 depthwise, 1x1 linear projection.

    ``conv`` = [0] expand conv, [1] BN, [2] ReLU, [3] depthwise conv,
    [4] BN, [5] ReLU, [6] projection conv, [7] BN. The input is added when
    the stride is 1 and the width is unchanged.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        stride (int): Stride of the depthwise convolution.
        expand_ratio (int): Expansion factor t.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int,
                 expand_ratio: int):
        super().__init__()
        hidden = in_channels * expand_ratio
        self.use_residual = stride == 1 and in_channels == out_channels
        self.conv = nn.Sequential(
            *conv_bn_relu(in_channels, hidden, 1, 1),
            *conv_bn_relu(hidden, hidden, 3, stride, groups=hidden),
            nn.Conv2d(hidden, out_channels, 1, bias=False),
            nn.BatchNorm2d(out_channels),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.use_residual:
            return x + self.conv(x)
        return self.conv(x)


@register_to_mmpretrain('MODELS')
class CIFARMobileNetV2(BaseBackbone):
    """MobileNetV2 "mobile_half" for 32x32 inputs (0.81 M parameters with a
    100-class head).

    ``conv1`` (3x3 stride 2, 3 -> 16), seven stages ``blocks.0..6`` of
    inverted residuals with (t, c, n, s) = (1, 8, 1, 1), (6, 12, 2, 1),
    (6, 16, 3, 2), (6, 32, 4, 2), (6, 48, 3, 1), (6, 80, 3, 2),
    (6, 160, 1, 1), then ``conv2`` (1x1, 160 -> 1280, BN, ReLU). ``conv2``
    stays in the backbone; the reference's ``AvgPool2d(2, ceil_mode=True)``
    over the 2x2 map and ``classifier.0`` are the neck and ``head.fc``.

    The configuration is fixed (the zoo has one MobileNetV2); the class
    attributes below document it.

    Args:
        out_indices (Sequence[int]): Stages whose outputs are returned:
            0..6 are ``blocks.0..6``, 7 is ``conv2``. Configs set ``(7, )``.
        init_cfg (dict | list[dict], optional): MMEngine initialisation.
            Defaults to the reference init (convs
            ``N(0, sqrt(2 / (k*k*out)))``, BN gamma 1 / beta 0).
    """

    widen_factor = 0.5
    #: (expansion t, channels c before width scaling, blocks n, stride s):
    #: the standard MobileNetV2 table with t = 6 ("T" in the reference)
    stage_settings = ((1, 16, 1, 1), (6, 24, 2, 1), (6, 32, 3, 2),
                      (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
                      (6, 320, 1, 1))
    stem_channels = 32
    last_channels = 1280

    def __init__(self,
                 out_indices: Sequence[int] = (7, ),
                 init_cfg: Optional[dict] = CRD_CONV_BN_INIT):
        super().__init__(init_cfg=init_cfg)
        self.out_indices = normalize_out_indices(out_indices, 8,
                                                 'CIFARMobileNetV2')
        in_channels = int(self.stem_channels * self.widen_factor)
        self.conv1 = conv_bn_relu(3, in_channels, 3, 2)
        self.blocks = nn.ModuleList()
        stage_channels = []
        for expand_ratio, channels, num_blocks, stride in \
                self.stage_settings:
            out_channels = int(channels * self.widen_factor)
            blocks = []
            for index in range(num_blocks):
                blocks.append(
                    CIFARInvertedResidual(in_channels, out_channels,
                                          stride if index == 0 else 1,
                                          expand_ratio))
                in_channels = out_channels
            self.blocks.append(nn.Sequential(*blocks))
            stage_channels.append(out_channels)
        self.conv2 = conv_bn_relu(in_channels, self.last_channels, 1, 1)
        self.out_channels = tuple(stage_channels) + (self.last_channels, )

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        x = self.conv1(x)
        x, outs = forward_stages(x, self.blocks, self.out_indices)
        x = self.conv2(x)
        if len(self.blocks) in self.out_indices:
            outs.append(x)
        return tuple(outs)
