"""Resume a run only from its own checkpoint, and say what resuming
overrides."""
import math
import os
import os.path as osp
from collections import Counter
from collections.abc import Mapping

from mmengine.hooks import CheckpointHook, Hook

from mmlogitkd.checkpoint import (FINGERPRINT_KEY, ResumeMismatchError,
                                  check_resume_checkpoint,
                                  fingerprint_differences, run_fingerprint)
from mmlogitkd.registry import HOOKS

#: Scheduler state that changes while training (not a setting).
_SCHEDULER_STATE = ('last_step', 'base_values', 'verbose')
_MISSING = object()


@HOOKS.register_module()
class ResumeCheckHook(Hook):
    """Tie checkpoints to their run and check every resume.

    * **Saving**: the run's fingerprint (model type, the architecture of each
      network, the method: loss terms with their hyperparameters, CE weight,
      distillation head; the teacher checkpoint's SHA-256; see
      :func:`~mmlogitkd.checkpoint.run_fingerprint`) goes into
      ``meta['mmlogitkd_fingerprint']`` of every checkpoint.
    * **Resuming** (not ``load_from``): the file must be a run checkpoint
      whose weights fit the model key by key and shape by shape (a plain
      classifier checkpoint given to a distillation config, an exported
      student or a converted file is refused, saying what it is), and its
      fingerprint must equal the config's. A difference (a KD config resumed
      from a CRLD checkpoint) is refused unless ``allow_mismatch=True``
      (``tools/train.py --allow-resume-mismatch``), which logs it instead.
    * Resumed optimizer and scheduler state replaces the config's values
      (``lr``, milestones, a scheduler's ``end`` when ``max_epochs``
      changed): every such difference is logged as a warning.
    * **A copied or moved work dir**: MMEngine's CheckpointHook keeps the
      absolute paths of the best and last checkpoints in the resumed state
      and deletes the old best one when a better one is saved. Paths outside
      this run's checkpoint folder are re-pointed at this folder's file of
      the same name (or dropped), so a copy never deletes the original run's
      files. (``tools/train.py`` also resolves ``last_checkpoint`` inside the
      work dir.)

    Args:
        allow_mismatch (bool): resume despite a fingerprint difference (the
            differences are logged). Key or shape mismatches are always
            refused. Defaults to False.
    """

    priority = 'VERY_HIGH'  # before CheckpointHook reads the resumed paths

    def __init__(self, allow_mismatch: bool = False):
        self.allow_mismatch = bool(allow_mismatch)

    # ------------------------------------------------------------------
    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint.setdefault('meta', {})[FINGERPRINT_KEY] = run_fingerprint(
            runner.model, runner.cfg.get('model'))

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if not _is_resuming(runner):
            return  # load_from initialises weights: any checkpoint may do
        filename = runner.cfg.get('load_from') or \
            osp.join(runner.work_dir, 'last_checkpoint') + ' (the file it ' \
            'names)'
        config = getattr(runner.cfg, 'filename', None)
        check_resume_checkpoint(runner.model, checkpoint, filename, config)
        self._check_fingerprint(runner, checkpoint, filename)
        self._warn_overrides(runner, checkpoint, filename)

    def before_train(self, runner) -> None:
        self._repoint_resumed_paths(runner)

    # ------------------------------------------------------------------
    def _check_fingerprint(self, runner, checkpoint: dict,
                           filename: str) -> None:
        saved = (checkpoint.get('meta') or {}).get(FINGERPRINT_KEY)
        if saved is None:
            runner.logger.warning(
                f'"{filename}" has no mmlogitkd run fingerprint (written '
                'before mmlogitkd stored one, or without ResumeCheckHook): '
                'its weights fit the model, but whether it was written by '
                'the same method cannot be checked.')
            return
        differences = fingerprint_differences(saved, run_fingerprint(
            runner.model, runner.cfg.get('model')))
        if not differences:
            return
        text = (f'"{filename}" was written by another model or method than '
                'the config\'s:\n  ' + '\n  '.join(differences))
        if self.allow_mismatch:
            runner.logger.warning(
                text + '\nResuming anyway (allow_mismatch=True, '
                '--allow-resume-mismatch): the run continues with the '
                'config\'s method from the checkpoint\'s weights, optimizer '
                'and schedule (its teacher weights too, which replace those '
                'of model.teacher_ckpt).')
            return
        raise ResumeMismatchError(
            text + '\nA resumed run would continue that run\'s weights, '
            'optimizer and schedule under this config\'s name. Resume with '
            'the config of the run that wrote it, start a new run from its '
            f'weights with load_from={filename} (without --resume), or pass '
            '--allow-resume-mismatch (ResumeCheckHook allow_mismatch=True) '
            'if the change is intended.')

    def _warn_overrides(self, runner, checkpoint: dict,
                        filename: str) -> None:
        """Log every optimizer/scheduler setting where the resumed state
        replaces the config's value."""
        lines = []
        optimizer = getattr(runner.optim_wrapper, 'optimizer', None)
        saved_optim = checkpoint.get('optimizer') or {}
        if optimizer is not None and 'param_groups' in saved_optim:
            lines += _group_differences(optimizer.param_groups,
                                        saved_optim['param_groups'])
        schedulers = runner.param_schedulers
        saved_schedulers = checkpoint.get('param_schedulers')
        if isinstance(schedulers, list) and isinstance(saved_schedulers,
                                                       list):
            for index, (scheduler, saved) in enumerate(
                    zip(schedulers, saved_schedulers)):
                lines += _scheduler_differences(index, scheduler, saved)
        if lines:
            runner.logger.warning(
                f'Resuming from "{filename}" restores its optimizer and '
                'scheduler state, which replaces these settings of the '
                'config (and of --cfg-options); the checkpoint\'s values are '
                'used:\n  ' + '\n  '.join(lines) + '\nTo train with the '
                'config\'s values instead, start a new run from the '
                f'checkpoint\'s weights with load_from={filename} (without '
                '--resume).')

    def _repoint_resumed_paths(self, runner) -> None:
        folder = _checkpoint_folder(runner)
        if folder is None:
            return
        hub = runner.message_hub
        for key in list(hub.runtime_info):
            if key != 'last_ckpt' and not key.startswith('best_ckpt'):
                continue
            path = hub.get_info(key)
            if not isinstance(path, str) or '://' in path or \
                    osp.dirname(osp.realpath(path)) == osp.realpath(folder):
                continue
            own = osp.join(folder, osp.basename(path))
            if osp.exists(own):
                hub.update_info(key, own)
                runner.logger.info(
                    f'The resumed state names {path}, a file outside this '
                    f'run\'s checkpoint folder (a copied or moved work dir): '
                    f'using {own} instead.')
            else:
                hub.update_info(key, None)
                runner.logger.info(
                    f'The resumed state names {path}, a file outside this '
                    'run\'s checkpoint folder (a copied or moved work dir), '
                    'and the folder has no copy of it: it is forgotten, so '
                    'it is never deleted from there.')


def _is_resuming(runner) -> bool:
    resume = getattr(runner, '_resume', None)
    if resume is None:
        resume = runner.cfg.get('resume', False)
    return bool(resume)


def _checkpoint_folder(runner):
    """Where the run's CheckpointHook writes (MMEngine's rule), or None
    without one."""
    for hook in runner.hooks:
        if isinstance(hook, CheckpointHook):
            out_dir = hook.out_dir
            work_dir = runner.work_dir
            if not out_dir or out_dir == work_dir:
                return work_dir
            if not isinstance(out_dir, str) or '://' in out_dir:
                return None
            return osp.join(out_dir, osp.basename(work_dir.rstrip(os.sep)))
    return None


def _plain(value):
    """Comparable form of a setting (tensors-only tags and Counters as
    sorted pairs, tuples as lists)."""
    if isinstance(value, Counter):
        return sorted([_plain(k), v] for k, v in value.items())
    if isinstance(value, Mapping):
        if set(value) == {'__counter__'}:
            return sorted([_plain(k), v] for k, v in value['__counter__'])
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _same(a, b) -> bool:
    a, b = _plain(a), _plain(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and \
            not isinstance(a, bool) and not isinstance(b, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _group_differences(current_groups, saved_groups):
    found = {}
    for index, (current, saved) in enumerate(zip(current_groups,
                                                 saved_groups)):
        for key, value in current.items():
            if key == 'params' or key.startswith('initial_'):
                continue
            mine = current.get(f'initial_{key}', value)
            theirs = saved.get(f'initial_{key}', saved.get(key, _MISSING))
            if theirs is _MISSING or _same(mine, theirs):
                continue
            found.setdefault(key, []).append((index, mine, theirs))
    lines = []
    for key, items in found.items():
        _, mine, theirs = items[0]
        groups = '' if len(current_groups) == 1 else \
            f' (param groups {", ".join(str(i) for i, _, _ in items)})'
        lines.append(f'optimizer {key}: config {mine} vs checkpoint '
                     f'{theirs}{groups}')
    return lines


def _scheduler_differences(index, scheduler, saved):
    if not isinstance(saved, Mapping) or not hasattr(scheduler,
                                                     'state_dict'):
        return []
    lines = []
    name = type(scheduler).__name__
    for key, value in scheduler.state_dict().items():
        if key.startswith('_') or key in _SCHEDULER_STATE or key not in saved:
            continue
        if not _same(value, saved[key]):
            lines.append(f'param_scheduler[{index}] ({name}) {key}: config '
                         f'{_plain(value)} vs checkpoint {_plain(saved[key])}')
    return lines
