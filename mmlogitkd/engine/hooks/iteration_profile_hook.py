"""Where the time of a training iteration goes."""
import json
import os.path as osp
import time
from statistics import median

from mmengine.hooks import Hook

from mmlogitkd.registry import HOOKS

from .utils import runner_model

#: The file the hook writes into the work dir.
PROFILE_FILE = 'iteration_profile.json'


@HOOKS.register_module()
class IterationProfileHook(Hook):
    """Split every training iteration into data wait, preprocessing,
    forward + backward + update, and the rest (hooks, logging), and write
    the per-iteration seconds and their medians to
    ``<work_dir>/iteration_profile.json``.

    * data wait: from the end of one iteration to the call of
      ``train_step`` in the next (the data loader's ``next``, plus the
      ``before_train_iter`` hooks, which do next to nothing);
    * preprocessing: ``model.data_preprocessor`` inside ``train_step``;
    * step: the rest of ``train_step`` (forward, losses, backward, SGD);
    * hooks: the ``after_train_iter`` hooks (timer, logger, checkpoint,
      parameter scheduler, ...).

    Used by ``tools/analysis/benchmark_pipeline.py``; cheap enough to leave
    on (two clock reads per stage).

    Args:
        skip (int): First iterations left out of the medians (warm-up).
            Defaults to 5.

    Examples:
        >>> custom_hooks = [dict(type='IterationProfileHook', skip=5)]
    """

    priority = 'VERY_LOW'

    def __init__(self, skip: int = 5) -> None:
        self.skip = int(skip)
        self.records = []
        self._iteration_end = None
        self._preprocess = 0.0

    def before_train(self, runner) -> None:
        model = runner_model(runner)
        preprocessor = model.data_preprocessor
        original = preprocessor.forward
        hook = self

        def timed_forward(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                hook._preprocess += time.perf_counter() - start

        preprocessor.forward = timed_forward
        train_step = runner.model.train_step

        def timed_train_step(*args, **kwargs):
            hook._preprocess = 0.0
            hook._step_start = time.perf_counter()
            try:
                return train_step(*args, **kwargs)
            finally:
                hook._step_end = time.perf_counter()

        runner.model.train_step = timed_train_step
        self._iteration_end = time.perf_counter()

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        now = time.perf_counter()  # this hook runs last (VERY_LOW)
        step = self._step_end - self._step_start
        self.records.append(
            dict(data=self._step_start - self._iteration_end,
                 preprocess=self._preprocess,
                 step=step - self._preprocess,
                 hooks=now - self._step_end,
                 total=now - self._iteration_end))
        self._iteration_end = time.perf_counter()

    def before_train_epoch(self, runner) -> None:
        # epoch boundaries (validation, data-loader start) are not iterations
        self._iteration_end = time.perf_counter()

    def after_train(self, runner) -> None:
        kept = self.records[self.skip:] or self.records
        summary = {key: median(r[key] for r in kept)
                   for key in ('data', 'preprocess', 'step', 'hooks',
                               'total')} if kept else {}
        with open(osp.join(runner.work_dir, PROFILE_FILE), 'w') as f:
            json.dump(dict(median=summary, skip=self.skip,
                           iterations=self.records), f, indent=1)
