"""CIFAR VGGs with BatchNorm of the CRD model zoo: vgg8, vgg11, vgg13, vgg16,
vgg19 (the reference's ``vgg*_bn`` builders).

Reference: RepDistiller ``models/vgg.py`` (Tian, Krishnan, Isola, ICLR 2020,
github.com/HobbitLong/RepDistiller; same in mdistiller
``mdistiller/models/cifar/vgg.py``), after Simonyan & Zisserman, "Very Deep
Convolutional Networks for Large-Scale Image Recognition" (ICLR 2015) with
the fully connected layers replaced by one linear classifier. Layout, module
names and initialisation: docs/model_zoo.md#state-dict-naming.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmpretrain.models.backbones.base_backbone import BaseBackbone

from mmlogitkd.registry import register_to_mmpretrain
from .reference_init import CRD_CONV_BN_INIT
from .stage_outputs import normalize_out_indices


def make_vgg_block(in_channels: int, widths: Sequence[int]) -> nn.Sequential:
    """[Conv 3x3 (with bias), BN, ReLU] per width, without the last ReLU.

    The missing ReLU is applied by the backbone's forward, so convolutions
    sit at indices 0, 3, 6, 9 and BNs at 1, 4, 7, 10 as in the reference.
    """
    layers: List[nn.Module] = []
    for width in widths:
        layers += [
            nn.Conv2d(in_channels, width, 3, padding=1, bias=True),
            nn.BatchNorm2d(width),
            nn.ReLU(inplace=True)
        ]
        in_channels = width
    return nn.Sequential(*layers[:-1])


@register_to_mmpretrain('MODELS')
class CIFARVGG(BaseBackbone):
    """VGG with BN for 32x32 inputs.

    Five blocks ``block0..4``; a ReLU after each, 2x2 max-pools ``pool0..2``
    after blocks 0-2 and ``pool3`` after block 3 only for 64x64 inputs (as in
    the reference, which also serves TinyImageNet). The reference's final
    adaptive average pool and ``classifier`` are the neck and ``head.fc``.

    ======  =====  ==========================================================
    arch    cfg    convolutions per block
    ======  =====  ==========================================================
    vgg8    S      [64], [128], [256], [512], [512]
    vgg11   A      [64], [128], [256, 256], [512, 512], [512, 512]
    vgg13   B      [64, 64], [128, 128], [256, 256], [512, 512], [512, 512]
    vgg16   D      as B with three convolutions in blocks 2-4
    vgg19   E      as B with four convolutions in blocks 2-4
    ======  =====  ==========================================================

    Args:
        arch (str): One of the names in the table.
        out_indices (Sequence[int]): Blocks (0..4) whose ReLU outputs are
            returned (before the following pool). Configs set ``(4, )``.
        init_cfg (dict | list[dict], optional): MMEngine initialisation.
            Defaults to the reference init (convs ``N(0, sqrt(2 / (k*k*out)))``
            with zero bias, BN gamma 1 / beta 0).
    """

    arch_settings: Dict[str, Tuple[Tuple[int, ...], ...]] = {
        'vgg8': ((64, ), (128, ), (256, ), (512, ), (512, )),
        'vgg11': ((64, ), (128, ), (256, 256), (512, 512), (512, 512)),
        'vgg13': ((64, 64), (128, 128), (256, 256), (512, 512), (512, 512)),
        'vgg16': ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512),
                  (512, 512, 512)),
        'vgg19': ((64, 64), (128, 128), (256, 256, 256, 256),
                  (512, 512, 512, 512), (512, 512, 512, 512)),
    }
    #: the input height at which the reference also pools after block 3
    pool3_input_height = 64

    def __init__(self,
                 arch: str,
                 out_indices: Sequence[int] = (4, ),
                 init_cfg: Optional[dict] = CRD_CONV_BN_INIT):
        super().__init__(init_cfg=init_cfg)
        if arch not in self.arch_settings:
            raise ValueError(f'CIFARVGG: unknown arch "{arch}"; choose from '
                             f'{sorted(self.arch_settings)}')
        self.arch = arch
        self.out_indices = normalize_out_indices(out_indices, 5, 'CIFARVGG')
        settings = self.arch_settings[arch]
        self.out_channels = tuple(widths[-1] for widths in settings)

        in_channels = 3
        for index, widths in enumerate(settings):
            self.add_module(f'block{index}',
                            make_vgg_block(in_channels, widths))
            in_channels = widths[-1]
        for index in range(4):
            self.add_module(f'pool{index}', nn.MaxPool2d(2, 2))
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        input_height = x.shape[2]
        outs = []
        for index in range(5):
            x = self.relu(getattr(self, f'block{index}')(x))
            if index in self.out_indices:
                outs.append(x)
            if index < 3 or (index == 3 and
                             input_height == self.pool3_input_height):
                x = getattr(self, f'pool{index}')(x)
        return tuple(outs)
