"""Make every epoch's randomness a function of (seed, epoch) only."""
import random

import numpy as np
import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook

from mmlogitkd.registry import HOOKS


def epoch_seed(seed: int, epoch: int, rank: int = 0) -> int:
    """The seed of one epoch (0-indexed) for one rank."""
    return (seed * 1_000_003 + epoch * 7919 + rank * 104_729) % (2**31 - 1)


@HOOKS.register_module()
class EpochSeedHook(Hook):
    """Re-seed Python, NumPy and torch at the start of every training epoch.

    MMEngine seeds once at start-up, so after ``--resume`` the random state
    (augmentations, dropout, data-loader worker seeds) differs from the one
    the uninterrupted run had at that epoch. Seeding each epoch from
    ``(randomness.seed, epoch)`` makes a resumed run continue exactly like an
    uninterrupted one (with ``randomness.deterministic=True`` bit for bit;
    tested in ``tests/test_tools/test_resume_equivalence.py``).

    It also publishes the seed to MMEngine's MessageHub (``augment_seed``),
    which keys the batched augmentations of
    :class:`~mmlogitkd.models.data_preprocessors.MultiViewClsDataPreprocessor`.

    Data-loader workers created with ``persistent_workers=True`` keep their
    own random state across epochs and are not re-seeded: for exact resume
    equivalence with per-image transforms in the workers use
    ``num_workers=0`` or ``persistent_workers=False``; the batched
    augmentations (``augment_on_device``) do not depend on the workers.
    """

    priority = 'VERY_HIGH'  # before any hook that draws random numbers

    def before_train_epoch(self, runner) -> None:
        seed = runner.seed
        if seed is None:
            return
        # The key of the batched augmentations (MultiViewClsDataPreprocessor
        # train_views): (seed, epoch, sample index, view).
        from mmlogitkd.models.data_preprocessors.multi_view_cls import \
            SEED_INFO_KEY
        runner.message_hub.update_info(SEED_INFO_KEY, int(seed))
        diff_rank = runner.cfg.get('randomness', {}).get(
            'diff_rank_seed', False)
        value = epoch_seed(seed, runner.epoch, get_rank() if diff_rank else 0)
        random.seed(value)
        np.random.seed(value)
        torch.manual_seed(value)
