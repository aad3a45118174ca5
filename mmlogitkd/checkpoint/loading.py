"""Reading checkpoint files: weights-only first, full unpickling only when
trusted, and clear errors for files that are not checkpoints.

Trust rules: a file is loaded with ``torch.load(weights_only=True)``; only if
that fails because the file pickles other objects (MMEngine's own runner
checkpoints on torch >= 2.6, RepDistiller's ``*_last.pth``) may it be fully
unpickled, and only when it is **trusted**: it lies under a path registered
with :func:`trust_checkpoint_path` (``tools/train.py`` registers the run's
``work_dir`` and the ``--resume``/``load_from`` files), the caller passes
``allow_unsafe=True`` (an explicit opt-in such as ``--trust-source``), or
the environment sets ``MMLOGITKD_TRUST_CHECKPOINTS=1``. Anything else is
refused with a message that says why: unpickling can run arbitrary code.

Examples:
    >>> from mmlogitkd.checkpoint import load_checkpoint_file
    >>> ckpt = load_checkpoint_file('work_dirs/kd/epoch_240.pth')  # doctest: +SKIP
"""
import hashlib
import os
import os.path as osp
import pickle
import warnings
import zipfile
from typing import Iterable, Optional, Set

import torch

TRUST_ENV = 'MMLOGITKD_TRUST_CHECKPOINTS'
_trusted_paths: Set[str] = set()


class CheckpointError(RuntimeError):
    """A checkpoint file cannot be used; the message names the file."""


class NotACheckpointError(CheckpointError):
    """The file is not a PyTorch checkpoint (empty, truncated, random)."""


class UntrustedCheckpointError(pickle.UnpicklingError):
    """The checkpoint needs full unpickling but is not trusted."""


def trust_checkpoint_path(path: Optional[str]) -> None:
    """Allow full unpickling for ``path`` (a file or a directory tree)."""
    if path and isinstance(path, str) and '://' not in path:
        _trusted_paths.add(osp.realpath(osp.expanduser(path)))


def trusted_paths() -> Iterable[str]:
    """The registered trusted paths, sorted."""
    return tuple(sorted(_trusted_paths))


def is_trusted(filename: str) -> bool:
    """Whether ``filename`` may be loaded with full unpickling."""
    if os.environ.get(TRUST_ENV, '') == '1':
        return True
    real = osp.realpath(filename)
    for root in _trusted_paths:
        if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
            return True
    return False


def file_sha256(path: str, chunk_size: int = 1 << 20) -> str:
    """Return the hex SHA-256 digest of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(chunk_size), b''):
            digest.update(chunk)
    return digest.hexdigest()


def _untrusted_message(filename: str, error: Exception) -> str:
    return (
        f'Refusing to fully unpickle checkpoint "{filename}": it contains '
        f'objects other than tensors and plain containers '
        f'({type(error).__name__}: {str(error).splitlines()[0]}), and '
        'unpickling such a file can execute arbitrary code. It is not under '
        'a trusted path (the run\'s work_dir, --resume or load_from). If you '
        'trust its origin, convert it to a tensors-only file with '
        'tools/model_converters (recommended) or opt in explicitly with '
        f'{TRUST_ENV}=1.')


def _looks_like_checkpoint(filename: str) -> bool:
    """A torch.save file is a zip archive (torch >= 1.6) or a legacy pickle
    (first byte 0x80, the pickle protocol opcode)."""
    if zipfile.is_zipfile(filename):
        return True
    with open(filename, 'rb') as f:
        return f.read(1) == b'\x80'


def _needs_full_unpickling(error: Exception) -> bool:
    """Whether a weights-only failure is about an object type (a valid
    checkpoint of other objects) rather than a corrupt stream."""
    text = str(error)
    return 'Unsupported global' in text or 'GLOBAL' in text \
        or 'Unsupported class' in text


def _not_a_checkpoint(filename: str, error: Exception = None):
    size = osp.getsize(filename)
    detail = ''
    if error is not None:
        first = next((line for line in str(error).splitlines()
                      if line.strip()), '')[:160]
        detail = f'; torch.load: {type(error).__name__}: {first}'
    return NotACheckpointError(
        f'"{filename}" is not a PyTorch checkpoint ({size} bytes{detail}). '
        'Is it truncated (a copy or download that did not finish) or the '
        'wrong file?')


def load_checkpoint_file(filename: str,
                         map_location='cpu',
                         allow_unsafe: Optional[bool] = None):
    """``torch.load`` that unpickles arbitrary objects only when trusted.

    Args:
        filename (str): Local path of the checkpoint.
        map_location: As in :func:`torch.load`. Defaults to ``'cpu'``.
        allow_unsafe (bool, optional): Force (True) or forbid (False) the
            full-unpickling fallback; None decides by :func:`is_trusted`.

    Returns:
        The loaded object.

    Raises:
        FileNotFoundError: ``filename`` does not exist.
        NotACheckpointError: the file is empty, truncated or not written by
            ``torch.save`` (the message gives its size).
        UntrustedCheckpointError: the file needs full unpickling and is not
            trusted.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint "{filename}" does not exist')
    if not _looks_like_checkpoint(filename):
        raise _not_a_checkpoint(filename)
    try:
        return torch.load(filename, map_location=map_location,
                          weights_only=True)
    except pickle.UnpicklingError as error:
        if not _needs_full_unpickling(error):
            raise _not_a_checkpoint(filename, error) from error
        trusted = is_trusted(filename) if allow_unsafe is None \
            else allow_unsafe
        if not trusted:
            raise UntrustedCheckpointError(
                _untrusted_message(filename, error)) from error
        warnings.warn(f'Loading trusted checkpoint "{filename}" with full '
                      'unpickling (weights_only=False).')
        try:
            return torch.load(filename, map_location=map_location,
                              weights_only=False)
        except (pickle.UnpicklingError, EOFError, RuntimeError) as error:
            raise _not_a_checkpoint(filename, error) from error
    except (EOFError, RuntimeError, IndexError, zipfile.BadZipFile,
            ValueError) as error:
        raise _not_a_checkpoint(filename, error) from error
