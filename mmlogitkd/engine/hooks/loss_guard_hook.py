"""Stop a run whose loss is not finite or explodes, before a checkpoint with
unusable weights is written."""
import math
import statistics
from collections import deque
from typing import Optional

from mmengine.hooks import Hook

from mmlogitkd.models.algorithms.logit_distiller import NonFiniteLossError
from mmlogitkd.registry import HOOKS


class LossExplosionError(FloatingPointError):
    """The loss grew by orders of magnitude over its running level."""


@HOOKS.register_module()
class LossGuardHook(Hook):
    """Check the total loss of every training step.

    * **Non-finite** (NaN/Inf): the run stops at the first such step. This
      is the guard plain classifiers (a teacher's training, the student
      alone) lacked: they used to log a whole epoch of ``loss: nan``.
      LogitDistiller checks its loss terms itself before the update
      (``model.nonfinite_loss``: ``'stop'`` or ``'skip'``); a skipped step
      logs a loss of 0, which this hook ignores.
    * **Explosion**: a finite loss more than ``explosion_factor`` times its
      running level (the median of the last ``window`` steps' losses) means
      the training diverged (e.g. ``lr=1e6``: 10 -> 4.2e9 -> 8.8e15). The run
      stops before the next checkpoint, so the last checkpoint holds weights
      from before the divergence instead of exploded ones.

    Both raise before any later hook of the step (checkpoints are written by
    ``CheckpointHook``, which runs last), naming the iteration, the values
    and the last checkpoint.

    Args:
        explosion_factor (float, optional): how many times the running level
            a loss may reach. Defaults to 1e3 (three orders of magnitude: far
            above the spikes of a healthy run, far below a divergence). None
            disables the explosion check.
        window (int): number of recent steps whose median is the running
            level. Defaults to 100.
    """

    priority = 'NORMAL'  # before LoggerHook and CheckpointHook

    def __init__(self, explosion_factor: Optional[float] = 1e3,
                 window: int = 100):
        if explosion_factor is not None and not explosion_factor > 1:
            raise ValueError('LossGuardHook explosion_factor must be > 1 or '
                             f'None (disabled), got {explosion_factor!r}')
        if not isinstance(window, int) or window < 1:
            raise ValueError(f'LossGuardHook window must be an integer >= 1, '
                             f'got {window!r}')
        self.explosion_factor = explosion_factor
        self.window = window
        self._history = deque(maxlen=window)
        self._saved_at_iter = None

    def before_train(self, runner) -> None:
        self._history.clear()

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        self._saved_at_iter = runner.iter

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if not isinstance(outputs, dict) or 'loss' not in outputs:
            return
        value = _as_float(outputs['loss'])
        iteration = runner.iter + 1
        if not math.isfinite(value):
            terms = ', '.join(f'{name}={_as_float(v):.4g}'
                              for name, v in outputs.items()
                              if name.startswith('loss') and name != 'loss')
            raise NonFiniteLossError(
                f'non-finite loss at iteration {iteration}: loss={value}'
                + (f' ({terms})' if terms else '') + '. The run stops; '
                + _last_checkpoint_text(runner) + ' Look for NaN/Inf in the '
                'data or in data_preprocessor.mean/std, or lower '
                f'optim_wrapper.optimizer.lr (now {_lr(runner)}).')
        if value == 0.0:
            return  # a step LogitDistiller skipped (nonfinite_loss='skip')
        if self.explosion_factor is not None and self._history:
            level = statistics.median(self._history)
            if level > 0 and value > self.explosion_factor * level:
                raise LossExplosionError(self._explosion_message(
                    runner, iteration, value, level))
        self._history.append(value)

    def _explosion_message(self, runner, iteration: int, value: float,
                           level: float) -> str:
        message = (
            f'loss exploded at iteration {iteration}: {value:.4g} is '
            f'{value / level:.3g} times its running level {level:.4g} (median '
            f'of the last {len(self._history)} steps; LossGuardHook '
            f'explosion_factor={self.explosion_factor:g}). The training '
            'diverged: the run stops before a checkpoint with exploded '
            f'weights is written; {_last_checkpoint_text(runner)} Lower '
            f'optim_wrapper.optimizer.lr (now {_lr(runner)}) or check the '
            'loss weights; to change or disable this check set '
            'explosion_factor of LossGuardHook in custom_hooks (None '
            'disables it).')
        if self._saved_at_iter is not None and \
                self._saved_at_iter == runner.iter:
            message += (' The last checkpoint was written just before this '
                        'step, from the weights that give this loss: it may '
                        'be diverged too; the one before it is safer.')
        return message


def _as_float(value) -> float:
    if hasattr(value, 'detach'):
        value = value.detach().float().mean()
    return float(value)


def _last_checkpoint_text(runner) -> str:
    last = runner.message_hub.get_info('last_ckpt')
    if last:
        return (f'the last checkpoint, {last}, is kept (checkpoints with '
                'non-finite weights are never written).')
    return 'no checkpoint has been written yet.'


def _lr(runner):
    try:
        lrs = runner.optim_wrapper.get_lr()
        values = next(iter(lrs.values()))
        return f'{values[0]:g}' if values else '?'
    except Exception:  # noqa: BLE001 (only for the message)
        return '?'
