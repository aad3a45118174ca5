"""Epoch-based linear warm-up of distillation terms (DKD, AEKT).

The factor is ``min(e / W, 1)`` with the **1-indexed** epoch ``e``, as in the
official DKD code (mdistiller ``DKD.py``; docs/methods/dkd.md).

Where the epoch comes from: MMEngine 0.10.7's ``RuntimeInfoHook`` (a default
hook of every Runner, priority ``VERY_HIGH``) writes the **0-indexed**
``runner.epoch`` into the MessageHub runtime info under the key ``'epoch'``
in ``before_train`` and again in ``before_train_epoch``, i.e. before the first
iteration of every epoch. ``EpochBasedTrainLoop.run_epoch`` only increments
its counter after ``after_train_epoch``, so during the iterations of epoch
``e`` (1-indexed) the hub holds ``e - 1``. We read it, add 1, and keep no
counter of our own (resume restores ``runner.epoch`` and the hook rewrites
the info).

``IterBasedTrainLoop`` keeps ``runner.epoch`` at 0 for the whole run, so an
epoch warm-up would stay at ``1 / W``; use ``warmup_epochs=0`` there.
"""
from typing import Optional

from mmengine.logging import MessageHub


def current_epoch() -> Optional[int]:
    """Return the 1-indexed current training epoch, or None outside a runner.

    Returns:
        int | None: ``MessageHub`` info ``'epoch'`` + 1 when a runner (or a
        test) has set it, otherwise None.
    """
    epoch = MessageHub.get_current_instance().get_info('epoch')
    if epoch is None:
        return None
    return int(epoch) + 1


def linear_warmup_factor(warmup_epochs: int) -> float:
    """Return ``min(e / warmup_epochs, 1)`` for the current 1-indexed epoch.

    Args:
        warmup_epochs (int): number of warm-up epochs ``W``; 0 disables the
            warm-up.

    Returns:
        float: the factor; 1.0 when ``warmup_epochs == 0`` or when no epoch
        is known (outside a runner).
    """
    if warmup_epochs == 0:
        return 1.0
    epoch = current_epoch()
    if epoch is None:
        return 1.0
    return min(epoch / warmup_epochs, 1.0)
