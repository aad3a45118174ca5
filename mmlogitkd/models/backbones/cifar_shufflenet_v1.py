"""The CIFAR ShuffleNetV1 of the CRD model zoo ("ShuffleV1": groups 3,
widths 240/480/960, blocks 4/8/4).

Reference: RepDistiller ``models/ShuffleNetv1.py`` (Tian, Krishnan, Isola,
ICLR 2020, github.com/HobbitLong/RepDistiller; same in mdistiller
``mdistiller/models/cifar/ShuffleNetv1.py``), after Zhang et al.,
"ShuffleNet: An Extremely Efficient Convolutional Neural Network for Mobile
Devices" (CVPR 2018). Unlike the paper (and MMPretrain's ``ShuffleNetV1``) the
stem is a 1x1 convolution without stride or max-pool, and a ReLU follows the
depthwise convolution. Layout and module names:
docs/model_zoo.md#state-dict-naming.
"""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmpretrain.models.backbones.base_backbone import BaseBackbone

from mmlogitkd.registry import register_to_mmpretrain
from .channel_shuffle import channel_shuffle
from .stage_outputs import forward_stages, normalize_out_indices


class CIFARShuffleUnitV1(nn.Module):
    """ShuffleNetV1 unit.

    Branch: grouped 1x1 ``conv1`` -> ``bn1`` -> ReLU -> channel shuffle ->
    depthwise 3x3 ``conv2`` (stride) -> ``bn2`` -> ReLU -> grouped 1x1
    ``conv3`` -> ``bn3``. Stride 2: concatenated with a 3x3 average-pooled
    input; stride 1: added to the input. A ReLU follows.

    Args:
        in_channels (int): Input channels.
        branch_channels (int): Output channels of the branch (the unit
            outputs ``in_channels + branch_channels`` when it downsamples).
        stride (int): 2 for the first unit of a stage, else 1.
        groups (int): Groups of the 1x1 convolutions.
        first_groups (int): Groups of ``conv1`` and of the shuffle; 1 for
            the very first unit, whose input is the 24-channel stem.
    """

    def __init__(self, in_channels: int, branch_channels: int, stride: int,
                 groups: int, first_groups: int):
        super().__init__()
        mid_channels = branch_channels // 4
        self.stride = stride
        self.first_groups = first_groups
        self.conv1 = nn.Conv2d(in_channels, mid_channels, 1,
                               groups=first_groups, bias=False)
        self.bn1 = nn.BatchNorm2d(mid_channels)
        self.conv2 = nn.Conv2d(mid_channels, mid_channels, 3, stride, 1,
                               groups=mid_channels, bias=False)
        self.bn2 = nn.BatchNorm2d(mid_channels)
        self.conv3 = nn.Conv2d(mid_channels, branch_channels, 1,
                               groups=groups, bias=False)
        self.bn3 = nn.BatchNorm2d(branch_channels)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut_pool = nn.AvgPool2d(3, 2, 1) if stride == 2 else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = channel_shuffle(out, self.first_groups)
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.shortcut_pool is not None:
            out = torch.cat([out, self.shortcut_pool(x)], dim=1)
        else:
            out = out + x
        return self.relu(out)


@register_to_mmpretrain('MODELS')
class CIFARShuffleNetV1(BaseBackbone):
    """ShuffleNetV1 (groups 3) for 32x32 inputs (0.95 M parameters with a
    100-class head).

    Stem ``conv1`` (1x1, 3 -> 24) + ``bn1`` + ReLU, then ``layer1..3`` with
    4, 8, 4 units and widths 240, 480, 960; the first unit of each stage has
    stride 2 and concatenates. The reference's ``avg_pool2d(4)`` and
    ``linear`` are the neck and ``head.fc``. The configuration is fixed (the
    zoo has one ShuffleNetV1); the class attributes document it.

    Args:
        out_indices (Sequence[int]): Stages (0..2) whose outputs are
            returned. Configs set ``(2, )``.
        init_cfg (dict | list[dict], optional): MMEngine initialisation.
            The reference keeps PyTorch's defaults, hence ``None``.
    """

    groups = 3
    stem_channels = 24
    stage_channels = (240, 480, 960)
    stage_blocks = (4, 8, 4)

    def __init__(self,
                 out_indices: Sequence[int] = (2, ),
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.out_indices = normalize_out_indices(out_indices, 3,
                                                 'CIFARShuffleNetV1')
        self.out_channels = self.stage_channels
        self.conv1 = nn.Conv2d(3, self.stem_channels, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(self.stem_channels)
        self.relu = nn.ReLU(inplace=True)
        in_channels = self.stem_channels
        for stage, (width, num_blocks) in enumerate(
                zip(self.stage_channels, self.stage_blocks)):
            units = []
            for index in range(num_blocks):
                downsample = index == 0
                units.append(
                    CIFARShuffleUnitV1(
                        in_channels,
                        width - in_channels if downsample else width,
                        stride=2 if downsample else 1,
                        groups=self.groups,
                        first_groups=1 if in_channels == self.stem_channels
                        else self.groups))
                in_channels = width
            self.add_module(f'layer{stage + 1}', nn.Sequential(*units))

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        x = self.relu(self.bn1(self.conv1(x)))
        x, outs = forward_stages(x, (self.layer1, self.layer2, self.layer3),
                                 self.out_indices)
        return tuple(outs)
