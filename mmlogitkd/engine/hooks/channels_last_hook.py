"""Train a plain classifier with channels-last convolutions."""
import torch
from mmengine.hooks import Hook

from mmlogitkd.registry import HOOKS

from .utils import runner_model


@HOOKS.register_module()
class ChannelsLastHook(Hook):
    """Put the 4-D weights of a classifier (e.g. MMPretrain's
    ``ImageClassifier``) in channels-last memory format before it runs.

    A convolution with channels-last weights computes in channels-last and
    hands that format on to the next layer, which on a CPU is faster for the
    small CIFAR networks (docs/benchmark.md, "Channels-last and trainings at
    once"); the inputs can stay as the data preprocessor makes them. Only
    the order of floating-point sums changes.
    The parameters stay the same objects, so optimizers and checkpoints
    (saved and loaded by value) are unaffected.

    A distiller has its own switch, which also converts the inputs and keys
    the teacher-logit cache: ``LogitDistiller(channels_last=True)``; this hook
    refuses it.

    Examples:
        >>> custom_hooks = [dict(type='ChannelsLastHook')]
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        model = runner_model(runner)
        if hasattr(model, 'channels_last'):
            raise ValueError(
                f'ChannelsLastHook: {type(model).__name__} has its own '
                'channels_last setting (it also converts the inputs and '
                'keys the teacher cache): set model.channels_last=True and '
                'remove the hook')
        model.to(memory_format=torch.channels_last)
        runner.logger.info('ChannelsLastHook: 4-D weights in channels-last '
                           'memory format')
