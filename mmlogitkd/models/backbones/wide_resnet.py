"""Wide ResNets of the CRD model zoo: wrn_16_1, wrn_16_2, wrn_40_1, wrn_40_2.

Reference: RepDistiller ``models/wrn.py`` (Tian, Krishnan, Isola, ICLR 2020,
github.com/HobbitLong/RepDistiller; same in mdistiller
``mdistiller/models/cifar/wrn.py``), after Zagoruyko & Komodakis, "Wide
Residual Networks" (BMVC 2016). Layout, module names and initialisation:
docs/model_zoo.md#state-dict-naming.
"""
from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.models.backbones.base_backbone import BaseBackbone

from mmlogitkd.registry import register_to_mmpretrain
from .reference_init import CRD_CONV_BN_INIT
from .stage_outputs import normalize_out_indices


class WideBasicBlock(nn.Module):
    """Pre-activation block: ``shortcut + conv2(drop(relu(bn2(conv1(
    relu(bn1(x)))))))``.

    When the width changes, the shortcut is a 1x1 convolution applied to the
    pre-activated input ``relu(bn1(x))``; otherwise it is the raw input.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        stride (int): Stride of ``conv1`` and of the projection shortcut.
        drop_rate (float): Dropout probability between the convolutions.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int,
                 drop_rate: float):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1,
                               bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1,
                               bias=False)
        self.drop_rate = drop_rate
        # ``convShortcut`` is the reference's key name; it exists only where
        # the width changes (a same-width strided block never occurs).
        if in_channels != out_channels:
            self.convShortcut = nn.Conv2d(
                in_channels, out_channels, 1, stride, bias=False)
        else:
            self.convShortcut = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        preactivated = self.relu(self.bn1(x))
        out = self.relu(self.bn2(self.conv1(preactivated)))
        if self.drop_rate > 0:
            out = F.dropout(out, p=self.drop_rate, training=self.training)
        out = self.conv2(out)
        if self.convShortcut is None:
            return x + out
        return self.convShortcut(preactivated) + out


class WideStage(nn.Module):
    """One stage; the blocks sit under ``layer`` as in the reference keys
    ``block{s}.layer.{j}``."""

    def __init__(self, num_blocks: int, in_channels: int, out_channels: int,
                 stride: int, drop_rate: float):
        super().__init__()
        self.layer = nn.Sequential(*[
            WideBasicBlock(in_channels if index == 0 else out_channels,
                           out_channels, stride if index == 0 else 1,
                           drop_rate) for index in range(num_blocks)
        ])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer(x)


@register_to_mmpretrain('MODELS')
class WideResNet(BaseBackbone):
    """Wide ResNet of depth ``6n + 4`` and widening factor ``k``.

    Stem ``conv1`` (3x3, 3 -> 16, no BN after it), three stages
    ``block1..3`` of ``n`` pre-activation blocks with widths 16k, 32k, 64k
    and strides 1, 2, 2, then the final ``bn1`` + ReLU. The final BN + ReLU
    stay in the backbone (they belong to the last stage's output) so that a
    ``GlobalAveragePooling`` neck and a ``LinearClsHead`` reproduce the
    reference ``avg_pool2d(8)`` + ``fc``.

    ===========  =====  ===
    arch         depth  k
    ===========  =====  ===
    wrn_16_1     16     1
    wrn_16_2     16     2
    wrn_40_1     40     1
    wrn_40_2     40     2
    ===========  =====  ===

    Args:
        arch (str): One of the names in the table.
        drop_rate (float): Dropout between the two convolutions of every
            block; the CRD zoo uses 0.0 (configs set it explicitly).
        out_indices (Sequence[int]): Stages (0..2) whose outputs are
            returned; stage 2 includes the final BN + ReLU. Configs set
            ``(2, )``.
        init_cfg (dict | list[dict], optional): MMEngine initialisation.
            Defaults to the reference init (convs ``N(0, sqrt(2 / (k*k*out)))``
            = Kaiming-normal fan_out, BN gamma 1 / beta 0).
    """

    #: arch -> (depth, widening factor)
    arch_settings: Dict[str, Tuple[int, int]] = {
        'wrn_16_1': (16, 1),
        'wrn_16_2': (16, 2),
        'wrn_40_1': (40, 1),
        'wrn_40_2': (40, 2),
    }
    stage_strides = (1, 2, 2)

    def __init__(self,
                 arch: str,
                 drop_rate: float = 0.0,
                 out_indices: Sequence[int] = (2, ),
                 init_cfg: Optional[dict] = CRD_CONV_BN_INIT):
        super().__init__(init_cfg=init_cfg)
        if arch not in self.arch_settings:
            raise ValueError(f'WideResNet: unknown arch "{arch}"; choose '
                             f'from {sorted(self.arch_settings)}')
        if not 0.0 <= drop_rate < 1.0:
            raise ValueError(
                f'WideResNet: drop_rate must be in [0, 1), got {drop_rate}')
        self.arch = arch
        depth, widen_factor = self.arch_settings[arch]
        num_blocks = (depth - 4) // 6
        widths = (16, 16 * widen_factor, 32 * widen_factor,
                  64 * widen_factor)
        self.out_indices = normalize_out_indices(out_indices, 3,
                                                 'WideResNet')
        self.out_channels = widths[1:]

        self.conv1 = nn.Conv2d(3, widths[0], 3, 1, 1, bias=False)
        for index, stride in enumerate(self.stage_strides):
            self.add_module(
                f'block{index + 1}',
                WideStage(num_blocks, widths[index], widths[index + 1],
                          stride, drop_rate))
        # The network's final BN; the key is the top-level ``bn1``.
        self.bn1 = nn.BatchNorm2d(widths[3])
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        x = self.conv1(x)
        outs = []
        for index in range(3):
            x = getattr(self, f'block{index + 1}')(x)
            if index == 2:
                x = self.relu(self.bn1(x))
            if index in self.out_indices:
                outs.append(x)
        return tuple(outs)
