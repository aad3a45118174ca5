"""Loading a teacher (or model-zoo ``pretrained``) checkpoint: strict,
hash-pinned, never arbitrary code, never NaN; URLs are downloaded into the
cache first (:mod:`.download`)."""
import string
from typing import Optional, Union

from torch import nn

from .download import download_checkpoint, is_url
from .loading import CheckpointError, file_sha256, load_checkpoint_file
from .saving import non_finite_tensors
from .state_dict import (CheckpointMismatchError, check_state_dict,
                         find_state_dict, select_prefix)

#: Shortest accepted ``teacher_ckpt_sha256`` prefix (what
#: ``tools/analysis/summarize_results.py`` prints).
MIN_SHA256_PREFIX = 12


class TeacherCheckpointError(CheckpointMismatchError):
    """The teacher checkpoint does not fit the teacher or its pinned hash."""


def normalize_sha256(sha256: Union[str, int],
                     setting: str = 'model.teacher_ckpt') -> str:
    """The pinned hash as lower-case hex: the full 64 digits or a prefix of
    at least :data:`MIN_SHA256_PREFIX`.

    An int (an all-digit hash that a command line or YAML turned into a
    number) is taken as the digits it was; its lost leading zeros are put
    back when it is a full hash (``tools/train.py --cfg-options`` keeps such
    values strings in the first place).

    Raises:
        ValueError: not hexadecimal, too short or too long (the message
            names ``<setting>_sha256``).
    """
    if isinstance(sha256, bool) or not isinstance(sha256, (str, int)):
        raise ValueError(
            f'{setting}_sha256 must be a hex string, got '
            f'{type(sha256).__name__} {sha256!r}')
    text = str(sha256).strip().lower()
    if isinstance(sha256, int) and 64 - MIN_SHA256_PREFIX < len(text) < 64:
        text = text.zfill(64)
    if not text or any(c not in string.hexdigits for c in text):
        raise ValueError(
            f'{setting}_sha256={sha256!r} is not a hexadecimal '
            'SHA-256 digest')
    if len(text) > 64:
        raise ValueError(
            f'{setting}_sha256 has {len(text)} hex digits; a '
            'SHA-256 digest has 64')
    if len(text) < MIN_SHA256_PREFIX:
        raise ValueError(
            f'{setting}_sha256={text} is too short ({len(text)} hex '
            f'digits): give the full 64 digits or a prefix of at least '
            f'{MIN_SHA256_PREFIX} (the first 12 are what '
            'tools/analysis/summarize_results.py prints).')
    return text


def load_teacher_checkpoint(teacher: nn.Module,
                            filename: str,
                            sha256: Optional[str] = None,
                            prefix: Optional[str] = None,
                            allow_unsafe: bool = False,
                            setting: str = 'teacher_ckpt',
                            model_name: str = 'model.teacher') -> str:
    """Load ``filename`` strictly into ``teacher``.

    Args:
        teacher (nn.Module): The teacher classifier (or any model).
        filename (str): Local path or ``http(s)://``/``file://`` URL of the
            checkpoint (tensors-only files load with ``weights_only=True``;
            see :mod:`.loading`). A URL is downloaded once into
            :func:`~.download.checkpoint_cache_dir` and the local file is
            hashed and loaded.
        sha256 (str, optional): Expected SHA-256 of the file, or a prefix of
            at least 12 hex digits (:func:`normalize_sha256`); a mismatch is
            an error.
        prefix (str, optional): Keep only keys under this prefix and strip
            it, e.g. ``'teacher.'`` for a distillation run's checkpoint or
            ``'student.'`` to reuse a distilled student as a teacher.
        allow_unsafe (bool): Allow full unpickling for a file that needs it
            (only for files you trust; converting them is the better fix).
        setting (str): The config setting naming the file, for messages;
            its hash is pinned by ``<setting>_sha256``.
        model_name (str): The config entry of the model, for messages.

    Returns:
        str: the SHA-256 of the file, for the run's records.

    Raises:
        TeacherCheckpointError: hash mismatch, keys/shapes that do not
            match the model (every offending key is named), or NaN/Inf
            weights (the keys are named).
        CheckpointDownloadError: a URL could not be downloaded.
        ValueError: ``sha256`` is not a hex digest or prefix.
    """
    pinned = normalize_sha256(sha256, setting) if sha256 is not None \
        else None
    source_name = filename
    if is_url(filename):
        filename = download_checkpoint(filename, setting=setting)
        source_name = f'{source_name} (cached as {filename})'
    digest = file_sha256(filename)
    if pinned is not None and not digest.lower().startswith(pinned):
        what = 'pins' if len(pinned) == 64 else \
            f'pins (as a {len(pinned)}-digit prefix)'
        raise TeacherCheckpointError(
            f'{setting} "{source_name}" has sha256 {digest}, but the '
            f'config {what} {setting}_sha256={pinned}. The file is not the '
            'one the config was written for.')
    checkpoint = load_checkpoint_file(
        filename, map_location='cpu', allow_unsafe=allow_unsafe or None)
    source = f'{setting} "{source_name}"'
    try:
        state, _ = find_state_dict(checkpoint, source)
        if prefix:
            state = select_prefix(state, prefix, source)
    except CheckpointError as error:
        raise TeacherCheckpointError(str(error)) from error
    check_state_dict(
        state, teacher.state_dict(), source, model_name,
        f'Check {model_name} against the checkpoint, or convert the '
        'checkpoint with tools/model_converters.',
        error=TeacherCheckpointError)
    bad = non_finite_tensors(state)
    if bad:
        raise TeacherCheckpointError(
            f'{source} holds non-finite values (NaN/Inf) in {len(bad)} '
            f'tensor(s): {", ".join(bad[:10])}'
            f'{" ..." if len(bad) > 10 else ""}. '
            'A teacher with them gives NaN logits (and NaN metrics). Use '
            'another checkpoint of the teacher\'s run (mmlogitkd runs never '
            'write non-finite weights) or retrain the teacher.')
    teacher.load_state_dict(state, strict=True)
    return digest
