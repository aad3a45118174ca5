"""Loading a teacher checkpoint: strict, hash-pinned, never arbitrary code."""
from collections import OrderedDict
from typing import Dict, Optional

import torch
from torch import nn

from mmlogitkd.compat import safe_torch_load
from mmlogitkd.utils.hashing import file_sha256


class TeacherCheckpointError(RuntimeError):
    """The teacher checkpoint does not fit the teacher or its pinned hash."""


def extract_state_dict(checkpoint, prefix: Optional[str] = None) -> Dict:
    """Return the model weights inside a loaded checkpoint.

    Accepts an MMEngine/MMPretrain checkpoint (``state_dict``), a RepDistiller
    or mdistiller one (``model``) or a bare state dict. With ``prefix`` (e.g.
    ``'teacher.'`` for a distillation run's checkpoint, ``'student.'`` to
    reuse a distilled student as a teacher) only keys under it are kept and
    the prefix is stripped.
    """
    state = checkpoint
    if isinstance(checkpoint, dict):
        for key in ('state_dict', 'model'):
            if key in checkpoint and isinstance(checkpoint[key], dict):
                state = checkpoint[key]
                break
    if not isinstance(state, dict):
        raise TeacherCheckpointError(
            f'the checkpoint holds a {type(state).__name__}, not a state dict')
    if prefix:
        state = OrderedDict((k[len(prefix):], v) for k, v in state.items()
                            if k.startswith(prefix))
        if not state:
            raise TeacherCheckpointError(
                f'no key of the checkpoint starts with prefix "{prefix}"')
    return state


def load_teacher_checkpoint(teacher: nn.Module,
                            filename: str,
                            sha256: Optional[str] = None,
                            prefix: Optional[str] = None,
                            allow_unsafe: bool = False) -> str:
    """Load ``filename`` strictly into ``teacher``.

    Args:
        teacher: the teacher classifier.
        filename: local path of the checkpoint (tensors-only files load with
            ``weights_only=True``; see :mod:`mmlogitkd.compat`).
        sha256: expected SHA-256 of the file; a mismatch is an error.
        prefix: keep only keys under this prefix (see
            :func:`extract_state_dict`).
        allow_unsafe: allow full unpickling for a file that needs it (only
            for files you trust; converting them is the better fix).

    Returns:
        str: the SHA-256 of the file, for the run's records.

    Raises:
        TeacherCheckpointError: hash mismatch, or keys/shapes that do not
            match the teacher (every offending key is named).
    """
    digest = file_sha256(filename)
    if sha256 is not None and digest.lower() != sha256.lower():
        raise TeacherCheckpointError(
            f'teacher checkpoint "{filename}" has sha256 {digest}, but the '
            f'config pins teacher_ckpt_sha256={sha256}. The file is not the '
            'one the config was written for.')
    checkpoint = safe_torch_load(
        filename, map_location='cpu', allow_unsafe=allow_unsafe or None)
    state = extract_state_dict(checkpoint, prefix)
    own = teacher.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    mismatched = sorted(
        f'{k}: checkpoint {tuple(state[k].shape)} vs teacher '
        f'{tuple(own[k].shape)}' for k in set(own) & set(state)
        if isinstance(state[k], torch.Tensor)
        and state[k].shape != own[k].shape)
    if missing or unexpected or mismatched:
        lines = [f'teacher checkpoint "{filename}" does not match the '
                 'teacher model:']
        for title, keys in (('missing keys', missing),
                            ('unexpected keys', unexpected),
                            ('shape mismatches', mismatched)):
            if keys:
                lines.append(f'  {title} ({len(keys)}): ' + ', '.join(keys))
        lines.append('Check model.teacher against the checkpoint, or convert '
                     'the checkpoint with tools/model_converters.')
        raise TeacherCheckpointError('\n'.join(lines))
    teacher.load_state_dict(state, strict=True)
    return digest
