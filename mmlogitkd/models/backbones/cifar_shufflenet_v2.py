"""The CIFAR ShuffleNetV2 of the CRD model zoo ("ShuffleV2", net size 1:
widths 116/232/464, 1024 final channels).

Reference: RepDistiller ``models/ShuffleNetv2.py`` (Tian, Krishnan, Isola,
ICLR 2020, github.com/HobbitLong/RepDistiller; same in mdistiller
``mdistiller/models/cifar/ShuffleNetv2.py``), after Ma et al., "ShuffleNet
V2: Practical Guidelines for Efficient CNN Architecture Design" (ECCV 2018).
Unlike the paper (and MMPretrain's ``ShuffleNetV2``) the stem is a 1x1
convolution without stride or max-pool. Layout and module names:
docs/model_zoo.md#state-dict-naming.
"""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmpretrain.models.backbones.base_backbone import BaseBackbone

from mmlogitkd.registry import register_to_mmpretrain
from .channel_shuffle import channel_shuffle
from .stage_outputs import forward_stages, normalize_out_indices


class CIFARShuffleDownUnitV2(nn.Module):
    """Downsampling unit: two stride-2 branches, concatenated and shuffled.

    Left: depthwise 3x3 ``conv1`` -> ``bn1`` -> 1x1 ``conv2`` -> ``bn2`` ->
    ReLU. Right: 1x1 ``conv3`` -> ``bn3`` -> ReLU -> depthwise 3x3 ``conv4``
    -> ``bn4`` -> 1x1 ``conv5`` -> ``bn5`` -> ReLU. Each branch outputs half
    of ``out_channels``.
    """

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        mid = out_channels // 2
        self.conv1 = nn.Conv2d(in_channels, in_channels, 3, 2, 1,
                               groups=in_channels, bias=False)
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.conv2 = nn.Conv2d(in_channels, mid, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(mid)
        self.conv3 = nn.Conv2d(in_channels, mid, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(mid)
        self.conv4 = nn.Conv2d(mid, mid, 3, 2, 1, groups=mid, bias=False)
        self.bn4 = nn.BatchNorm2d(mid)
        self.conv5 = nn.Conv2d(mid, mid, 1, bias=False)
        self.bn5 = nn.BatchNorm2d(mid)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        left = self.relu(self.bn2(self.conv2(self.bn1(self.conv1(x)))))
        right = self.relu(self.bn3(self.conv3(x)))
        right = self.relu(self.bn5(self.conv5(self.bn4(self.conv4(right)))))
        return channel_shuffle(torch.cat([left, right], dim=1), 2)


class CIFARShuffleUnitV2(nn.Module):
    """Basic unit: the second half of the channels goes through 1x1
    ``conv1`` -> ``bn1`` -> ReLU -> depthwise 3x3 ``conv2`` -> ``bn2`` -> 1x1
    ``conv3`` -> ``bn3`` -> ReLU; the untouched first half is concatenated in
    front, then the channels are shuffled with 2 groups."""

    def __init__(self, channels: int):
        super().__init__()
        half = channels // 2
        self.conv1 = nn.Conv2d(half, half, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(half)
        self.conv2 = nn.Conv2d(half, half, 3, 1, 1, groups=half, bias=False)
        self.bn2 = nn.BatchNorm2d(half)
        self.conv3 = nn.Conv2d(half, half, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(half)
        self.relu = nn.ReLU(inplace=True)
        self.half = half

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        kept, processed = x[:, :self.half], x[:, self.half:]
        processed = self.relu(self.bn1(self.conv1(processed)))
        processed = self.bn2(self.conv2(processed))
        processed = self.relu(self.bn3(self.conv3(processed)))
        return channel_shuffle(torch.cat([kept, processed], dim=1), 2)


@register_to_mmpretrain('MODELS')
class CIFARShuffleNetV2(BaseBackbone):
    """ShuffleNetV2 (net size 1) for 32x32 inputs (1.36 M parameters with a
    100-class head).

    Stem ``conv1`` (1x1, 3 -> 24) + ``bn1`` + ReLU; ``layer1..3`` = a
    downsampling unit (index 0) + 3, 7, 3 basic units with widths 116, 232,
    464; then ``conv2`` (1x1, 464 -> 1024) + ``bn2`` + ReLU, which stay in the
    backbone. The reference's ``avg_pool2d(4)`` and ``linear`` are the neck
    and ``head.fc``. The configuration is fixed (the zoo has one
    ShuffleNetV2); the class attributes document it.

    Args:
        out_indices (Sequence[int]): Stages whose outputs are returned: 0..2
            are ``layer1..3``, 3 is ``conv2``/``bn2``/ReLU. Configs set
            ``(3, )``.
        init_cfg (dict | list[dict], optional): MMEngine initialisation.
            The reference keeps PyTorch's defaults, hence ``None``.
    """

    stem_channels = 24
    stage_channels = (116, 232, 464)
    stage_blocks = (3, 7, 3)
    last_channels = 1024

    def __init__(self,
                 out_indices: Sequence[int] = (3, ),
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.out_indices = normalize_out_indices(out_indices, 4,
                                                 'CIFARShuffleNetV2')
        self.out_channels = self.stage_channels + (self.last_channels, )
        self.conv1 = nn.Conv2d(3, self.stem_channels, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(self.stem_channels)
        self.relu = nn.ReLU(inplace=True)
        in_channels = self.stem_channels
        for stage, (width, num_blocks) in enumerate(
                zip(self.stage_channels, self.stage_blocks)):
            units = [CIFARShuffleDownUnitV2(in_channels, width)]
            units += [CIFARShuffleUnitV2(width) for _ in range(num_blocks)]
            self.add_module(f'layer{stage + 1}', nn.Sequential(*units))
            in_channels = width
        self.conv2 = nn.Conv2d(in_channels, self.last_channels, 1,
                               bias=False)
        self.bn2 = nn.BatchNorm2d(self.last_channels)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        x = self.relu(self.bn1(self.conv1(x)))
        x, outs = forward_stages(x, (self.layer1, self.layer2, self.layer3),
                                 self.out_indices)
        x = self.relu(self.bn2(self.conv2(x)))
        if 3 in self.out_indices:
            outs.append(x)
        return tuple(outs)
