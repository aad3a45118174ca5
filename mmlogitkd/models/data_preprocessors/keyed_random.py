"""Random numbers that depend only on (seed, epoch, sample index, view).

The batched augmentations of :mod:`.batch_augment` draw every random number
from a counter-based generator keyed by the sample itself instead of a
global random state. A sample's crop, flip, RandAugment ops and Cutout are
then the same whatever the number of data-loader workers, the number of
processes (each DDP rank draws for its own samples), the order of the
batches or a resume in the middle of training, which is what makes the
teacher-logit cache exact (:mod:`mmlogitkd.models.algorithms.teacher_cache`).

The generator is SplitMix64 (Steele, Lea, Flood, "Fast splittable
pseudorandom number generators", OOPSLA 2014) applied to a key that mixes the
seed, epoch, sample index, view, a stream name and a draw counter; the top 53
bits of the output give a float64 in [0, 1).
"""
import zlib
from typing import Sequence

import numpy as np
import torch

_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_MUL2 = np.uint64(0x94D049BB133111EB)
#: Odd constants that separate the key fields before mixing.
_FIELD = tuple(
    np.uint64(c) for c in (0xD6E8FEB86659FD93, 0xA0761D6478BD642F,
                           0xE7037ED1A0B428DB, 0x8EBC6AF09C88C6E3,
                           0x589965CC75374CC3, 0x1D8E4E27C47D124F))


def _splitmix64(values: np.ndarray) -> np.ndarray:
    """One SplitMix64 output per uint64 input (vectorised, wrapping)."""
    with np.errstate(over='ignore'):
        z = values + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _MUL1
        z = (z ^ (z >> np.uint64(27))) * _MUL2
        return z ^ (z >> np.uint64(31))


def stream_id(name: str) -> int:
    """A stable integer for a stream name (CRC-32 of its UTF-8 bytes)."""
    return zlib.crc32(name.encode('utf-8'))


class KeyedRandom:
    """Uniform random numbers for a batch, keyed per sample.

    Args:
        seed (int): The run's seed (``randomness.seed``).
        epoch (int): The 0-indexed training epoch.
        sample_indices (Sequence[int]): Dataset index of every sample of the
            batch (``data_sample.sample_idx``).
        view (int): Index of the view (0 weak, 1 strong, ...).

    Examples:
        >>> rng = KeyedRandom(seed=0, epoch=3, sample_indices=[7, 1], view=0)
        >>> rng.uniform('flip').shape
        torch.Size([2, 1])
        >>> bool((rng.uniform('flip') == KeyedRandom(0, 3, [7], 0)
        ...       .uniform('flip')[0]).all())
        True
    """

    def __init__(self, seed: int, epoch: int, sample_indices: Sequence[int],
                 view: int) -> None:
        indices = np.asarray(sample_indices, dtype=np.int64)
        if indices.ndim != 1:
            raise ValueError('sample_indices must be a 1-D sequence, got '
                             f'shape {indices.shape}')
        with np.errstate(over='ignore'):
            base = (np.uint64(int(seed) & 0xFFFFFFFFFFFFFFFF) * _FIELD[0]
                    ^ np.uint64(int(epoch) & 0xFFFFFFFFFFFFFFFF) * _FIELD[1]
                    ^ np.uint64(int(view) & 0xFFFFFFFFFFFFFFFF) * _FIELD[2])
            self._keys = _splitmix64(
                indices.astype(np.uint64) * _FIELD[3] ^ base)
        self.seed, self.epoch, self.view = int(seed), int(epoch), int(view)
        self.sample_indices = indices

    def __len__(self) -> int:
        return len(self._keys)

    def uniform(self, stream: str, num: int = 1) -> torch.Tensor:
        """``[B, num]`` float64 uniforms in [0, 1) for the named stream.

        Different streams (``'crop'``, ``'flip'``, ``'op0'``, ...) are
        independent; the same (key, stream, draw) always gives the same
        number.
        """
        counters = np.arange(num, dtype=np.uint64)
        with np.errstate(over='ignore'):
            mixed = (self._keys[:, None]
                     ^ np.uint64(stream_id(stream)) * _FIELD[4]
                     ^ (counters[None, :] + np.uint64(1)) * _FIELD[5])
            bits = _splitmix64(_splitmix64(mixed)) >> np.uint64(11)
        return torch.from_numpy(bits.astype(np.float64) * (1.0 / (1 << 53)))

    def integers(self, stream: str, high: int, num: int = 1) -> torch.Tensor:
        """``[B, num]`` int64 uniform in ``{0, ..., high - 1}``."""
        values = (self.uniform(stream, num) * high).long()
        return values.clamp_(max=high - 1)
