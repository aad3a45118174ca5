"""Keep checkpoints loadable with ``weights_only=True`` and free of NaN."""
from mmengine.hooks import Hook

from mmlogitkd.checkpoint import (from_weights_only, non_finite_tensors,
                                  remove_orphan_tmp_files, to_weights_only)
from mmlogitkd.registry import HOOKS


class NonFiniteWeightsError(FloatingPointError):
    """Refused to save a checkpoint with NaN/Inf weights."""


@HOOKS.register_module()
class SafeCheckpointHook(Hook):
    """Rewrite runner checkpoints as tensors and plain containers on save,
    restore MMEngine's objects on load, and refuse to write NaN weights.
    Before training it removes the temporary files that a run killed while
    writing a checkpoint left in the work dir (the checkpoints themselves
    are written atomically, so the previous one is intact).

    Put it in ``custom_hooks`` (``configs/_base_/default_runtime.py`` does).
    Checkpoints written by runs without it still resume through the trusted
    fallback of :mod:`mmlogitkd.checkpoint.loading`.
    """

    priority = 'VERY_LOW'  # after every hook that adds to the checkpoint

    def before_train(self, runner) -> None:
        for path in remove_orphan_tmp_files(runner.work_dir):
            runner.logger.info(
                f'Removed {path}, left by a run killed while writing a '
                'checkpoint.')

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        bad = non_finite_tensors(checkpoint.get('state_dict', {}))
        if bad:
            raise NonFiniteWeightsError(
                'refusing to write a checkpoint: non-finite values in ' +
                ', '.join(bad[:10]) + (' ...' if len(bad) > 10 else '') +
                '. The previous checkpoint is kept.')
        for key in list(checkpoint):
            if key != 'state_dict':
                checkpoint[key] = to_weights_only(checkpoint[key])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        for key in list(checkpoint):
            if key != 'state_dict':
                checkpoint[key] = from_weights_only(checkpoint[key])
