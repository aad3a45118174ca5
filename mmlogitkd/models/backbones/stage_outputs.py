"""Stage outputs shared by the backbones of this package: validation of
``out_indices`` and the forward pass that collects the selected outputs."""
from typing import Collection, Iterable, List, Sequence, Tuple

import torch
import torch.nn as nn


def normalize_out_indices(out_indices: Sequence[int], num_stages: int,
                          backbone: str) -> Tuple[int, ...]:
    """Check ``out_indices`` and turn negative indices into positive ones.

    Args:
        out_indices (Sequence[int]): Stage indices whose outputs the
            backbone returns; negative values count from the last stage.
        num_stages (int): Number of stages of the backbone.
        backbone (str): Backbone name used in error messages.

    Returns:
        tuple[int]: Sorted, unique, non-negative stage indices.
    """
    if isinstance(out_indices, int):
        out_indices = (out_indices, )
    if len(out_indices) == 0:
        raise ValueError(f'{backbone}: out_indices must not be empty')
    normalized = []
    for index in out_indices:
        if not -num_stages <= index < num_stages:
            raise ValueError(
                f'{backbone}: out_indices entry {index} is out of range for '
                f'{num_stages} stages (valid: {-num_stages}..'
                f'{num_stages - 1})')
        normalized.append(index % num_stages)
    return tuple(sorted(set(normalized)))


def forward_stages(
        x: torch.Tensor, stages: Iterable[nn.Module],
        out_indices: Collection[int]
) -> Tuple[torch.Tensor, List[torch.Tensor]]:
    """Run ``x`` through ``stages`` in order, keeping selected outputs.

    Args:
        x (torch.Tensor): Input of the first stage.
        stages (Iterable[nn.Module]): The stages, first to last.
        out_indices (Collection[int]): Non-negative indices (see
            :func:`normalize_out_indices`) of the stages whose outputs are
            kept.

    Returns:
        tuple[torch.Tensor, list[torch.Tensor]]: The last stage's output,
        for layers that follow the stages, and the kept outputs in stage
        order.
    """
    outs = []
    for index, stage in enumerate(stages):
        x = stage(x)
        if index in out_indices:
            outs.append(x)
    return x, outs
