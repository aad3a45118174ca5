"""Warnings about what a distillation loss did over a whole epoch."""
from mmengine.hooks import Hook

from mmlogitkd.registry import HOOKS

from .utils import runner_model


@HOOKS.register_module()
class DistillDiagnosticsHook(Hook):
    """After every training epoch, log the warnings of each distillation
    loss (:meth:`~mmlogitkd.models.losses.BaseDistillLoss.epoch_warnings`),
    e.g. CRLD's "fewer than 10 % of the samples passed the confidence
    threshold". The per-step diagnostics themselves are logged by the
    algorithm next to the loss terms (``<method>/<name>`` in
    ``scalars.json``).

    Examples:
        >>> custom_hooks = [dict(type='DistillDiagnosticsHook')]
    """

    priority = 'LOW'

    def after_train_epoch(self, runner) -> None:
        model = runner_model(runner)
        losses = getattr(model, 'distill_losses', None)
        if not losses:
            return
        for name, loss in losses.items():
            warnings = getattr(loss, 'epoch_warnings', None)
            for message in (warnings() if warnings else []):
                runner.logger.warning(
                    f'epoch {runner.epoch + 1}, {name}: {message}')
