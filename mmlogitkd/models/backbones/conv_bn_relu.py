"""The [Conv, BN, ReLU] sequence of the MobileNet references."""
import torch.nn as nn


def conv_bn_relu(in_channels: int,
                 out_channels: int,
                 kernel_size: int,
                 stride: int,
                 groups: int = 1) -> nn.Sequential:
    """[Conv (no bias, 'same' padding), BN, ReLU], state-dict keys ``0`` and
    ``1`` as in the reference ``nn.Sequential`` layers.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): Odd kernel size; padding is ``kernel_size // 2``.
        stride (int): Convolution stride.
        groups (int): Convolution groups (``in_channels`` for depthwise).
    """
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride,
                  kernel_size // 2, groups=groups, bias=False),
        nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))
