"""Validation of ``out_indices`` shared by the backbones of this package."""
from typing import Sequence, Tuple


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
