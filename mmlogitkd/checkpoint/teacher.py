"""Loading a teacher checkpoint: strict, hash-pinned, never arbitrary code."""
from typing import Optional

from torch import nn

from .loading import CheckpointError, file_sha256, load_checkpoint_file
from .state_dict import (CheckpointMismatchError, check_state_dict,
                         find_state_dict, select_prefix)


class TeacherCheckpointError(CheckpointMismatchError):
    """The teacher checkpoint does not fit the teacher or its pinned hash."""


def load_teacher_checkpoint(teacher: nn.Module,
                            filename: str,
                            sha256: Optional[str] = None,
                            prefix: Optional[str] = None,
                            allow_unsafe: bool = False) -> str:
    """Load ``filename`` strictly into ``teacher``.

    Args:
        teacher (nn.Module): The teacher classifier.
        filename (str): Local path of the checkpoint (tensors-only files
            load with ``weights_only=True``; see :mod:`.loading`).
        sha256 (str, optional): Expected SHA-256 of the file; a mismatch is
            an error.
        prefix (str, optional): Keep only keys under this prefix and strip
            it, e.g. ``'teacher.'`` for a distillation run's checkpoint or
            ``'student.'`` to reuse a distilled student as a teacher.
        allow_unsafe (bool): Allow full unpickling for a file that needs it
            (only for files you trust; converting them is the better fix).

    Returns:
        str: the SHA-256 of the file, for the run's records.

    Raises:
        TeacherCheckpointError: hash mismatch, or keys/shapes that do not
            match the teacher (every offending key is named).
    """
    digest = file_sha256(filename)
    if sha256 is not None and digest.lower() != str(sha256).lower():
        raise TeacherCheckpointError(
            f'teacher checkpoint "{filename}" has sha256 {digest}, but the '
            f'config pins teacher_ckpt_sha256={sha256}. The file is not the '
            'one the config was written for.')
    checkpoint = load_checkpoint_file(
        filename, map_location='cpu', allow_unsafe=allow_unsafe or None)
    source = f'teacher checkpoint "{filename}"'
    try:
        state, _ = find_state_dict(checkpoint, source)
        if prefix:
            state = select_prefix(state, prefix, source)
    except CheckpointError as error:
        raise TeacherCheckpointError(str(error)) from error
    check_state_dict(
        state, teacher.state_dict(), source, 'the teacher model',
        'Check model.teacher against the checkpoint, or convert the '
        'checkpoint with tools/model_converters.',
        error=TeacherCheckpointError)
    teacher.load_state_dict(state, strict=True)
    return digest
