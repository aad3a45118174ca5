"""Channel shuffle that keeps the input's memory format."""
import torch


def channel_shuffle(x: torch.Tensor, groups: int) -> torch.Tensor:
    """Interleave the channels of ``groups`` equal channel groups.

    Channel ``g * (C // groups) + i`` of the input becomes channel
    ``i * groups + g`` of the output (ShuffleNet, Zhang et al., CVPR 2018),
    the same permutation as the CRD model zoo's ``ShuffleBlock``
    (RepDistiller ``models/ShuffleNetv1.py``, ``models/ShuffleNetv2.py``).

    Unlike a ``view``-based shuffle, this works on ``channels_last`` tensors
    and returns one: the permutation is done on the NHWC view when the input
    is stored channels-last, so no memory-format conversion is inserted.

    Args:
        x (torch.Tensor): Input of shape (N, C, H, W).
        groups (int): Number of groups; must divide C.

    Returns:
        torch.Tensor: The shuffled tensor, same shape and memory format.
    """
    batch, channels, height, width = x.shape
    if channels % groups != 0:
        raise ValueError(f'channel_shuffle: {channels} channels cannot be '
                         f'split into groups={groups}')
    if groups == 1:
        return x
    per_group = channels // groups
    if x.is_contiguous(memory_format=torch.channels_last) \
            and not x.is_contiguous():
        nhwc = x.permute(0, 2, 3, 1)  # a contiguous NHWC view
        shuffled = nhwc.reshape(batch, height, width, groups, per_group)
        shuffled = shuffled.transpose(3, 4).reshape(batch, height, width,
                                                    channels)
        return shuffled.permute(0, 3, 1, 2)
    shuffled = x.reshape(batch, groups, per_group, height, width)
    return shuffled.transpose(1, 2).reshape(batch, channels, height, width)
