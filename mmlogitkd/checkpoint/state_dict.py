"""Finding, selecting and checking the weights inside a checkpoint.

One implementation of each step every checkpoint user needs: find the state
dict in a loaded file (:func:`find_state_dict`), keep and strip a key prefix
(:func:`select_prefix`, :func:`strip_wrapper_prefixes`), compare it with a
model key by key and shape by shape (:func:`compare_state_dicts`) and report
the difference in one format (:class:`CheckpointMismatchError`). Teacher
loading, export and conversion all use these.

Examples:
    >>> from mmlogitkd.checkpoint import (find_state_dict, select_prefix,
    ...                                   compare_state_dicts)
    >>> state, where = find_state_dict({'state_dict': {'student.w': 1}})
    >>> select_prefix(state, 'student.')
    OrderedDict([('w', 1)])
"""
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import torch
from torch import nn

from .loading import CheckpointError

#: Prefix of the student's weights in a LogitDistiller checkpoint.
STUDENT_PREFIX = 'student.'
#: Prefix of the teacher's weights in a LogitDistiller checkpoint.
TEACHER_PREFIX = 'teacher.'


@dataclass
class KeyDiff:
    """How a state dict differs from a model's.

    Attributes:
        missing (list[str]): Model keys the state dict lacks.
        unexpected (list[str]): State-dict keys the model lacks.
        shape_mismatches (list[str]): ``key: checkpoint (shape) vs model
            (shape)``.
    """
    missing: List[str] = field(default_factory=list)
    unexpected: List[str] = field(default_factory=list)
    shape_mismatches: List[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.missing or self.unexpected or self.shape_mismatches)


class CheckpointMismatchError(CheckpointError, ValueError):
    """A state dict does not fit a model; every offending key is named.

    Attributes:
        missing, unexpected, shape_mismatches: as in :class:`KeyDiff`.
    """

    def __init__(self, message: str, diff: Optional[KeyDiff] = None):
        diff = diff or KeyDiff()
        self.missing = diff.missing
        self.unexpected = diff.unexpected
        self.shape_mismatches = diff.shape_mismatches
        super().__init__(message)


def find_state_dict(checkpoint, source: str = 'the checkpoint'
                    ) -> Tuple[OrderedDict, str]:
    """The weights inside a loaded checkpoint.

    Accepts an MMEngine/MMPretrain checkpoint (``state_dict``), a RepDistiller
    or mdistiller one (``model``), a bare state dict, or a pickled
    ``nn.Module`` (at the top or under those keys).

    Args:
        checkpoint: What :func:`~.loading.load_checkpoint_file` returned.
        source (str): Name of the file, for messages.

    Returns:
        tuple: the state dict and where it was found (``"checkpoint['model']"``
        or ``'bare state dict'``).

    Raises:
        CheckpointError: no dict of tensors found (the message names the
            non-tensor entries).
    """
    if isinstance(checkpoint, nn.Module):
        checkpoint = checkpoint.state_dict()
    if not isinstance(checkpoint, Mapping):
        raise CheckpointError(
            f'{source} holds a {type(checkpoint).__name__}, not a state dict '
            'or a dict containing one')
    location = 'bare state dict'
    for container in ('state_dict', 'model'):
        value = checkpoint.get(container)
        if isinstance(value, nn.Module):
            value = value.state_dict()
        if isinstance(value, Mapping):
            checkpoint, location = value, f"checkpoint['{container}']"
            break
    not_tensors = sorted(
        str(key) for key, value in checkpoint.items()
        if not isinstance(value, torch.Tensor))
    if not_tensors:
        raise CheckpointError(
            f'{source}: expected a state dict (a dict of tensors) or a dict '
            "with one under 'model' or 'state_dict'; the "
            f'{location} has non-tensor entries: {", ".join(not_tensors)}')
    return OrderedDict(checkpoint), location


def select_prefix(state_dict: Mapping, prefix: str,
                  source: str = 'the checkpoint') -> OrderedDict:
    """Keep the keys under ``prefix`` and strip it.

    Raises:
        CheckpointError: no key starts with ``prefix`` (the message lists
            the prefixes present).
    """
    selected = OrderedDict((key[len(prefix):], value)
                           for key, value in state_dict.items()
                           if key.startswith(prefix))
    if not selected:
        present = sorted({key.split('.', 1)[0] + '.' for key in state_dict})
        raise CheckpointError(
            f'no key of {source} starts with prefix "{prefix}" (its keys '
            f'start with: {", ".join(present) or "nothing"})')
    return selected


def strip_wrapper_prefixes(
        state_dict: Mapping) -> Tuple[OrderedDict, List[str]]:
    """Remove ``DataParallel`` and mdistiller distiller prefixes.

    A distiller checkpoint (``module.student.*`` and ``module.teacher.*``)
    keeps the student; a ``DataParallel`` one (all keys ``module.*``) loses
    the prefix.

    Returns:
        tuple: the stripped state dict and the ignored source keys.
    """
    student_prefix = 'module.' + STUDENT_PREFIX
    if any(key.startswith(student_prefix) for key in state_dict):
        kept = OrderedDict((key[len(student_prefix):], value)
                           for key, value in state_dict.items()
                           if key.startswith(student_prefix))
        ignored = [key for key in state_dict
                   if not key.startswith(student_prefix)]
        return kept, ignored
    if state_dict and all(key.startswith('module.') for key in state_dict):
        return OrderedDict((key[len('module.'):], value)
                           for key, value in state_dict.items()), []
    return OrderedDict(state_dict), []


def compare_state_dicts(state_dict: Mapping, target: Mapping,
                        tolerated_missing: Sequence[str] = ()) -> KeyDiff:
    """Key-by-key, shape-by-shape difference of ``state_dict`` to the
    model's ``target`` state dict; missing keys ending with one of
    ``tolerated_missing`` are not reported."""
    diff = KeyDiff()
    for key, reference in target.items():
        if key not in state_dict:
            if not any(key.endswith(suffix) for suffix in tolerated_missing):
                diff.missing.append(key)
            continue
        value = state_dict[key]
        if isinstance(value, torch.Tensor) and \
                isinstance(reference, torch.Tensor) and \
                value.shape != reference.shape:
            diff.shape_mismatches.append(
                f'{key}: checkpoint {tuple(value.shape)} vs model '
                f'{tuple(reference.shape)}')
    diff.unexpected = [key for key in state_dict if key not in target]
    return diff


def mismatch_message(subject: str, target: str, diff: KeyDiff,
                     hint: str) -> str:
    """The one report of a :class:`KeyDiff`: every key, by kind."""
    lines = [f'{subject} does not match {target}:']
    for title, keys in (('missing keys', diff.missing),
                        ('unexpected keys', diff.unexpected),
                        ('shape mismatches', diff.shape_mismatches)):
        if keys:
            lines.append(f'  {title} ({len(keys)}): ' + ', '.join(keys))
    lines.append(hint)
    return '\n'.join(lines)


def check_state_dict(state_dict: Mapping, target: Mapping, subject: str,
                     target_name: str, hint: str,
                     error: type = CheckpointMismatchError,
                     tolerated_missing: Sequence[str] = ()) -> None:
    """Raise ``error`` (a :class:`CheckpointMismatchError`) with the one
    report when ``state_dict`` does not fit ``target`` exactly."""
    diff = compare_state_dicts(state_dict, target, tolerated_missing)
    if diff:
        raise error(mismatch_message(subject, target_name, diff, hint), diff)


def student_state_dict(state_dict: Dict) -> Tuple[OrderedDict, List[str]]:
    """The student's weights of a LogitDistiller state dict, prefix removed.

    The teacher, the distillation losses and distillation-only modules such
    as AEKT's task-serialization layer (``distill_head.``) are dropped: the
    result loads strictly into the student's own MMPretrain config.

    Returns:
        tuple: the student state dict and the sorted list of dropped
        top-level module names (for the report).

    Raises:
        CheckpointError: no ``student.`` weights.
    """
    student = OrderedDict()
    dropped = set()
    for key, value in state_dict.items():
        if key.startswith(STUDENT_PREFIX):
            student[key[len(STUDENT_PREFIX):]] = value
        else:
            dropped.add(key.split('.', 1)[0])
    if not student:
        raise CheckpointError(
            'the checkpoint has no "student." weights: is it a checkpoint '
            'of a LogitDistiller run? (a plain classifier checkpoint loads '
            'into its own config directly)')
    return student, sorted(dropped)


def is_distillation_state_dict(state_dict: Mapping) -> bool:
    """Whether the keys are those of a LogitDistiller (``student.*`` and
    ``teacher.*``)."""
    return any(k.startswith(STUDENT_PREFIX) for k in state_dict) and \
        any(k.startswith(TEACHER_PREFIX) for k in state_dict)
