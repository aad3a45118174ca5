"""CIFAR ResNets of the CRD model zoo: resnet8 ... resnet110, resnet8x4 and
resnet32x4.

Reference: RepDistiller ``models/resnet.py`` (Tian, Krishnan, Isola,
"Contrastive Representation Distillation", ICLR 2020,
github.com/HobbitLong/RepDistiller), also used unchanged by mdistiller
(``mdistiller/models/cifar/resnet.py``). The network follows He et al.,
"Deep Residual Learning for Image Recognition" (CVPR 2016), §4.2. Layout,
module names and initialisation: docs/model_zoo.md#state-dict-naming.
"""
from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmpretrain.models.backbones.base_backbone import BaseBackbone

from mmlogitkd.registry import register_to_mmpretrain
from .reference_init import CRD_CONV_BN_INIT
from .stage_outputs import forward_stages, normalize_out_indices


class CIFARBasicBlock(nn.Module):
    """Post-activation basic block: ``relu(bn2(conv2(relu(bn1(conv1(x)))))
    + shortcut(x))``.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels of both 3x3 convolutions.
        stride (int): Stride of ``conv1`` and of the projection shortcut.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1,
                               bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1,
                               bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        # The reference projects only when the shape changes; the key name
        # ``downsample.{0,1}`` is kept for checkpoint compatibility.
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                nn.BatchNorm2d(out_channels))
        else:
            self.downsample = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        shortcut = x if self.downsample is None else self.downsample(x)
        return self.relu(out + shortcut)


@register_to_mmpretrain('MODELS')
class CIFARResNet(BaseBackbone):
    """CIFAR ResNet of depth ``6n + 2`` (CRD model zoo).

    Stem ``conv1`` (3x3, stride 1) + ``bn1`` + ReLU without max-pool, then
    three stages ``layer1..3`` of ``n`` basic blocks with strides 1, 2, 2. The
    global pooling and the classifier (``fc`` in the reference, ``head.fc``
    here) belong to the neck and head of the ``ImageClassifier``.

    ================  ===  =====================
    arch              n    widths (stem, stages)
    ================  ===  =====================
    resnet8           1    16, 16, 32, 64
    resnet14          2    16, 16, 32, 64
    resnet20          3    16, 16, 32, 64
    resnet32          5    16, 16, 32, 64
    resnet44          7    16, 16, 32, 64
    resnet56          9    16, 16, 32, 64
    resnet110         18   16, 16, 32, 64
    resnet8x4         1    32, 64, 128, 256
    resnet32x4        5    32, 64, 128, 256
    ================  ===  =====================

    Args:
        arch (str): One of the names in the table.
        out_indices (Sequence[int]): Stages (0..2) whose outputs are
            returned, last stage last. Configs set ``(2, )``.
        init_cfg (dict | list[dict], optional): MMEngine initialisation.
            Defaults to the reference init (Kaiming-normal fan_out convs,
            BN gamma 1 / beta 0), see :mod:`.reference_init`.
    """

    #: arch -> (blocks per stage, (stem width, stage widths...))
    arch_settings: Dict[str, Tuple[int, Tuple[int, int, int, int]]] = {
        'resnet8': (1, (16, 16, 32, 64)),
        'resnet14': (2, (16, 16, 32, 64)),
        'resnet20': (3, (16, 16, 32, 64)),
        'resnet32': (5, (16, 16, 32, 64)),
        'resnet44': (7, (16, 16, 32, 64)),
        'resnet56': (9, (16, 16, 32, 64)),
        'resnet110': (18, (16, 16, 32, 64)),
        'resnet8x4': (1, (32, 64, 128, 256)),
        'resnet32x4': (5, (32, 64, 128, 256)),
    }
    stage_strides = (1, 2, 2)

    def __init__(self,
                 arch: str,
                 out_indices: Sequence[int] = (2, ),
                 init_cfg: Optional[dict] = CRD_CONV_BN_INIT):
        super().__init__(init_cfg=init_cfg)
        if arch not in self.arch_settings:
            raise ValueError(f'CIFARResNet: unknown arch "{arch}"; choose '
                             f'from {sorted(self.arch_settings)}')
        self.arch = arch
        num_blocks, widths = self.arch_settings[arch]
        self.out_indices = normalize_out_indices(out_indices, 3,
                                                 'CIFARResNet')
        self.out_channels = widths[1:]

        self.conv1 = nn.Conv2d(3, widths[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        in_channels = widths[0]
        for index, (width, stride) in enumerate(
                zip(widths[1:], self.stage_strides)):
            blocks = []
            for block_index in range(num_blocks):
                blocks.append(
                    CIFARBasicBlock(in_channels, width,
                                    stride if block_index == 0 else 1))
                in_channels = width
            self.add_module(f'layer{index + 1}', nn.Sequential(*blocks))

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        x = self.relu(self.bn1(self.conv1(x)))
        x, outs = forward_stages(x, (self.layer1, self.layer2, self.layer3),
                                 self.out_indices)
        return tuple(outs)
