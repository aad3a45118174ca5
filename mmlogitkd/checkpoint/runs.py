"""Checkpoints of runs: what a file is, whether it fits a run's model, and
the fingerprint that ties a resumable checkpoint to its run.

Three questions every tool that takes a run's checkpoint must answer before
it uses the weights, with one answer each:

* **What is this file?** :func:`describe_checkpoint` tells a distillation
  run's checkpoint from a plain classifier run's, an exported student, a
  converted file and a bare state dict, so a refusal can say which tool or
  config to use instead.
* **Does it fit the model, exactly?** :func:`load_weights_strictly` (used by
  ``tools/test.py``) and :func:`check_resume_checkpoint` (used when
  resuming) compare every key and shape and refuse with the one mismatch
  report of :mod:`.state_dict`, plus advice that depends on the two kinds:
  a distillation checkpoint given to a classifier config, or the reverse.
* **Is it this run's?** :func:`run_fingerprint` summarises the model and the
  method (architecture of every network, loss terms with their
  hyperparameters, teacher checkpoint hash) in strings stored in the
  checkpoint's ``meta``; :func:`fingerprint_differences` names what differs.

Examples:
    >>> from mmlogitkd.checkpoint import load_weights_strictly
    >>> load_weights_strictly(model, 'work_dirs/kd/epoch_240.pth',
    ...                       config='configs/kd/kd_....py')  # doctest: +SKIP
"""
import glob
import hashlib
import os.path as osp
import re
from collections import OrderedDict
from typing import Dict, List, Mapping, Optional

from torch import nn

from .loading import load_checkpoint_file
from .saving import non_finite_tensors
from .state_dict import (STUDENT_PREFIX, TEACHER_PREFIX,
                         CheckpointMismatchError, compare_state_dicts,
                         find_state_dict, is_distillation_state_dict,
                         mismatch_message)

#: Key of the run fingerprint in a checkpoint's ``meta``.
FINGERPRINT_KEY = 'mmlogitkd_fingerprint'
#: Key prefixes MMEngine's ``load_checkpoint`` strips by default.
_WRAPPER_PREFIX = re.compile(r'^module\.')


class ResumeMismatchError(CheckpointMismatchError):
    """A checkpoint cannot resume this run (another kind of file, other
    weights, or another model or method)."""


def unwrap_model(model: nn.Module) -> nn.Module:
    """The model inside a DDP/MMEngine wrapper."""
    from mmengine.model import is_model_wrapper
    return model.module if is_model_wrapper(model) else model


def is_distiller(model: nn.Module) -> bool:
    """Whether ``model`` is a LogitDistiller (a student and a teacher)."""
    model = unwrap_model(model)
    return hasattr(model, 'student') and hasattr(model, 'teacher')


# ----------------------------------------------------------------------
# what a file is
# ----------------------------------------------------------------------
def checkpoint_kind(checkpoint, state_dict: Mapping) -> str:
    """One of ``'distillation'`` (a LogitDistiller run), ``'exported'``
    (a student written by distill2student.py), ``'converted'`` (written by
    another converter), ``'classifier run'`` (a plain classifier run's
    resumable checkpoint) or ``'weights'`` (a state dict without run
    state)."""
    meta = checkpoint.get('meta') if isinstance(checkpoint, Mapping) else None
    meta = meta if isinstance(meta, Mapping) else {}
    if is_distillation_state_dict(state_dict):
        return 'distillation'
    converter = str(meta.get('converter', ''))
    if 'distill2student' in converter:
        return 'exported'
    if converter:
        return 'converted'
    if 'epoch' in meta and 'optimizer' in checkpoint:
        return 'classifier run'
    return 'weights'


def has_run_state(checkpoint) -> bool:
    """Whether ``checkpoint`` can be resumed: a runner checkpoint with the
    epoch and iteration in its ``meta`` (and usually optimizer and
    scheduler state)."""
    meta = checkpoint.get('meta') if isinstance(checkpoint, Mapping) else None
    return isinstance(meta, Mapping) and 'epoch' in meta and 'iter' in meta


def describe_checkpoint(checkpoint, state_dict: Mapping,
                        filename: str) -> str:
    """A sentence saying what ``filename`` is, e.g.
    ``"work_dirs/kd/epoch_2.pth" is a checkpoint of a distillation
    (LogitDistiller) run (epoch 2)``."""
    kind = checkpoint_kind(checkpoint, state_dict)
    meta = checkpoint.get('meta') if isinstance(checkpoint, Mapping) else None
    meta = meta if isinstance(meta, Mapping) else {}
    epoch = f' (epoch {meta["epoch"]})' if 'epoch' in meta else ''
    if kind == 'distillation':
        text = f'a checkpoint of a distillation (LogitDistiller) run{epoch}'
    elif kind == 'exported':
        source = meta.get('source')
        text = 'a student exported by tools/model_converters/' \
            'distill2student.py' + (f' from "{source}"' if source else '')
    elif kind == 'converted':
        text = f'a classifier checkpoint converted by {meta["converter"]}'
    elif kind == 'classifier run':
        text = f'a checkpoint of a plain classifier run{epoch} (no ' \
            f'"{STUDENT_PREFIX}"/"{TEACHER_PREFIX}" weights)'
    else:
        text = 'a classifier state dict (weights only, no optimizer or ' \
            'epoch)'
    return f'"{filename}" is {text}'


def dumped_configs(filename: str) -> List[str]:
    """The configs MMEngine dumped into the work dir that holds
    ``filename`` (``<work_dir>/<config name>.py``)."""
    folder = osp.dirname(osp.abspath(filename))
    return sorted(glob.glob(osp.join(folder, '*.py')))


def _run_config_hint(filename: str) -> str:
    configs = dumped_configs(filename)
    if len(configs) == 1:
        return f' (its work dir holds it: {configs[0]})'
    if configs:
        return f' (its work dir holds {", ".join(configs)})'
    return ''


def _advice(purpose: str, kind: str, model: nn.Module, filename: str,
            config: Optional[str], run_state: bool = True) -> str:
    """What to do instead, for a checkpoint of ``kind`` that does not fit
    ``model`` (``purpose``: ``'test'`` or ``'resume'``)."""
    config_text = f' "{config}"' if config else ''
    distiller = is_distiller(model)
    run_config = _run_config_hint(filename)
    if distiller and kind != 'distillation':
        if purpose == 'test':
            return (
                f'The config{config_text} is a distillation config: it tests '
                'the student of a distillation run\'s checkpoint '
                f'("{STUDENT_PREFIX}*" and "{TEACHER_PREFIX}*" weights). '
                'Test this file with a plain classifier config of the '
                'student (configs/baseline/<student>_*.py, or any config '
                'whose model is the student), or give this config the '
                'checkpoint its distillation run wrote.')
        return (
            f'It cannot resume the distillation run of{config_text}. To '
            f'distil from it, set model.teacher_ckpt={filename} (without '
            '--resume); to resume the run that wrote it, use that run\'s '
            f'config{run_config}.')
    if not distiller and kind == 'distillation':
        if purpose == 'test':
            return (
                f'The config{config_text} builds a plain classifier. Test '
                'the checkpoint with the distillation config of its run'
                f'{run_config}, or export its student first: python '
                f'tools/model_converters/distill2student.py {filename} '
                'student.pth, then test student.pth with this config.')
        return (
            f'Resume it with the config of its run{run_config}. To train its '
            'student on alone, export the student with tools/'
            'model_converters/distill2student.py and start from it with '
            'load_from (without --resume).')
    if purpose == 'resume' and not run_state:
        return (
            'It holds weights only, without the optimizer, scheduler and '
            f'epoch a resume needs: start from it with load_from={filename} '
            '(without --resume).')
    return ('It was written for another model: compare the config'
            f'{config_text} with the one of the run that wrote it'
            f'{run_config}.')


def _prefixes(state_dict: Mapping) -> str:
    return ', '.join(sorted({key.split('.', 1)[0] + '.'
                             for key in state_dict})) or 'nothing'


def _strip_wrapper(state_dict: Mapping) -> OrderedDict:
    return OrderedDict((_WRAPPER_PREFIX.sub('', key), value)
                       for key, value in state_dict.items())


def check_fits(model: nn.Module, checkpoint, filename: str, purpose: str,
               config: Optional[str] = None,
               error: type = CheckpointMismatchError) -> OrderedDict:
    """The state dict of ``checkpoint`` if it fits ``model`` exactly
    (every key, every shape); otherwise ``error`` with the one mismatch
    report, what the file is and what to do instead.

    Args:
        model (nn.Module): The run's model (wrappers are unwrapped).
        checkpoint: The loaded file.
        filename (str): Its path, for messages.
        purpose (str): ``'test'`` or ``'resume'`` (changes the advice).
        config (str, optional): The config's path, for messages.
        error (type): A :class:`CheckpointMismatchError` subclass.
    """
    model = unwrap_model(model)
    state, _ = find_state_dict(checkpoint, f'checkpoint "{filename}"')
    state = _strip_wrapper(state)
    kind = checkpoint_kind(checkpoint, state)
    target = model.state_dict()
    diff = compare_state_dicts(state, target)
    run_state = has_run_state(checkpoint)
    wrong_kind = (kind == 'distillation') != is_distiller(model) or (
        purpose == 'resume' and not run_state)
    if diff or wrong_kind:
        subject = describe_checkpoint(checkpoint, state, filename)
        advice = _advice(purpose, kind, model, filename, config, run_state)
        if wrong_kind:  # the key lists would only bury the advice
            message = (f'{subject}. {advice}\n  (keys of the checkpoint '
                       f'start with: {_prefixes(state)}; keys of the model: '
                       f'{_prefixes(target)})')
        else:
            message = mismatch_message(
                subject + '; it', 'the model of this config', diff, advice)
        raise error(message, diff)
    bad = non_finite_tensors(state)
    if bad:
        raise error(
            f'checkpoint "{filename}" holds non-finite values (NaN/Inf) in '
            f'{len(bad)} tensor(s): {", ".join(bad[:10])}'
            f'{" ..." if len(bad) > 10 else ""}. Its weights are unusable; '
            'take an earlier checkpoint of the run.')
    return state


def load_weights_strictly(model: nn.Module, filename: str,
                          config: Optional[str] = None) -> dict:
    """Load ``filename`` into ``model`` for evaluation, strictly.

    Unlike MMEngine's ``load_from`` (non-strict: a wrong file gives a random
    model's metrics and a "missing keys" line in the log), every key and
    shape must match; a distillation checkpoint given to a classifier config
    (or the reverse) is refused with the tool or config to use.

    Returns:
        dict: the loaded checkpoint.

    Raises:
        CheckpointMismatchError: the file does not fit the model.
        NotACheckpointError, UntrustedCheckpointError: see
            :func:`~.loading.load_checkpoint_file`.
    """
    if '://' in filename:  # a URL: MMEngine's loaders download it
        from mmengine.runner.checkpoint import CheckpointLoader
        checkpoint = CheckpointLoader.load_checkpoint(
            filename, map_location='cpu')
    else:
        checkpoint = load_checkpoint_file(filename, map_location='cpu')
    state = check_fits(model, checkpoint, filename, 'test', config)
    unwrap_model(model).load_state_dict(state, strict=True)
    return checkpoint


def check_resume_checkpoint(model: nn.Module, checkpoint, filename: str,
                            config: Optional[str] = None) -> None:
    """Refuse to resume ``model`` from ``checkpoint`` unless it is a run
    checkpoint (optimizer, epoch) whose weights fit the model exactly
    (:class:`ResumeMismatchError` saying what the file is)."""
    if not isinstance(checkpoint, Mapping):
        raise ResumeMismatchError(
            f'"{filename}" holds a {type(checkpoint).__name__}, not a run '
            'checkpoint: it cannot be resumed.')
    check_fits(model, checkpoint, filename, 'resume', config,
               error=ResumeMismatchError)


# ----------------------------------------------------------------------
# the run fingerprint
# ----------------------------------------------------------------------
def architecture_summary(module: nn.Module) -> str:
    """``"CIFARResNet + LinearClsHead, 62 tensors, 78,004 parameters,
    keys 1a2b3c4d"``: the networks' types and a hash of every state-dict key
    and shape."""
    parts = [type(getattr(module, name)).__name__
             for name in ('backbone', 'neck', 'head')
             if getattr(module, name, None) is not None]
    state = module.state_dict()
    digest = hashlib.sha256('\n'.join(
        f'{key}:{tuple(value.shape)}' for key, value in state.items()
    ).encode()).hexdigest()[:8]
    parameters = sum(p.numel() for p in module.parameters())
    name = ' + '.join(parts) or type(module).__name__
    return (f'{name}, {len(state)} tensors, {parameters:,} parameters, '
            f'keys {digest}')


def _compact_repr(module: Optional[nn.Module]) -> str:
    if module is None:
        return 'None'
    return re.sub(r'\s+', ' ', repr(module)).replace('( ', '(') \
        .replace(' )', ')')


def _classifier_loss(model: nn.Module, model_cfg: Optional[Mapping]) -> str:
    head_cfg = (model_cfg or {}).get('head') or {}
    loss_cfg = head_cfg.get('loss') if isinstance(head_cfg, Mapping) \
        else None
    if isinstance(loss_cfg, Mapping):
        args = ', '.join(f'{k}={_number(v)}' for k, v in sorted(
            loss_cfg.items()) if k != 'type')
        return f'{loss_cfg.get("type")}({args})'
    loss = getattr(getattr(model, 'head', None), 'loss_module', None)
    return _compact_repr(loss)


def _number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return float(value)


def run_fingerprint(model: nn.Module,
                    model_cfg: Optional[Mapping] = None) -> Dict[str, str]:
    """What makes a run this run, as strings (stored in checkpoint
    ``meta[FINGERPRINT_KEY]``).

    For a LogitDistiller: the student's and the teacher's architecture, the
    teacher checkpoint's SHA-256, and the method (every distillation loss
    with its hyperparameters, the CE weight, the distillation head, the
    student forward mode). For a plain classifier: its architecture and its
    classification loss (from ``model_cfg.head.loss`` where given).
    """
    model = unwrap_model(model)
    items = {'model': type(model).__name__}
    if is_distiller(model):
        items['student'] = architecture_summary(model.student)
        items['teacher'] = architecture_summary(model.teacher)
        items['teacher_ckpt_sha256'] = str(
            getattr(model, 'teacher_ckpt_sha256', None))
        losses = getattr(model, 'distill_losses', {}) or {}
        method = [f'{name}={_compact_repr(loss)}'
                  for name, loss in sorted(losses.items())]
        head = _compact_repr(getattr(model, 'distill_head', None))
        method += [
            f'ce_weight={_number(getattr(model, "ce_weight", None))}',
            f'distill_head={head}',
            f'student_forward={getattr(model, "student_forward", None)}']
        items['method'] = '; '.join(method)
    else:
        items['architecture'] = architecture_summary(model)
        items['method'] = f'loss={_classifier_loss(model, model_cfg)}'
    return items


def fingerprint_differences(saved: Mapping, current: Mapping) -> List[str]:
    """``"<item>: checkpoint <saved> vs config <current>"`` for every item
    that differs."""
    lines = []
    for key in list(current) + [k for k in saved if k not in current]:
        old, new = saved.get(key, '(absent)'), current.get(key, '(absent)')
        if str(old) != str(new):
            lines.append(f'{key}: checkpoint {old} vs config {new}')
    return lines
