"""Writing checkpoints: tensors-only content, atomic writes, no silent
overwrite.

MMEngine stores its ``MessageHub`` (``HistoryBuffer`` objects holding NumPy
arrays) and NumPy scalars (metric values) in every runner checkpoint, so on
torch >= 2.6 its own checkpoints would need full unpickling to resume.
:func:`to_weights_only` rewrites those objects as tensors and plain
containers before saving, and :func:`from_weights_only` restores them after
loading, so our runs' checkpoints resume, export and convert without ever
unpickling arbitrary objects.

Every file is written atomically (a temporary file in the same folder,
renamed over the target), with the permissions the user's umask gives a new
file: a crash or a full disk while saving leaves the previous file intact.

Examples:
    >>> from mmlogitkd.checkpoint import save_checkpoint
    >>> save_checkpoint({'state_dict': model.state_dict(), 'meta': {}},
    ...                 'student.pth')  # doctest: +SKIP
"""
import glob
import io
import os
import os.path as osp
import tempfile
import time
from collections import Counter, OrderedDict
from typing import Any, List, Optional, Union

import numpy as np
import torch
from mmengine.fileio.backends import LocalBackend, register_backend
from mmengine.logging import HistoryBuffer

from .loading import CheckpointError

_BUFFER_TAG = '__history_buffer__'
_ARRAY_TAG = '__ndarray__'
_COUNTER_TAG = '__counter__'  # MultiStepLR keeps its milestones in a Counter
#: Suffix of the temporary files of atomic writes.
TMP_SUFFIX = '.tmp'


def to_weights_only(obj: Any) -> Any:
    """Recursively replace NumPy and ``HistoryBuffer`` objects by tensors and
    plain containers that ``torch.load(weights_only=True)`` accepts."""
    if isinstance(obj, HistoryBuffer):
        logs, counts = obj.data
        return {_BUFFER_TAG: True,
                'log_history': to_weights_only(logs),
                'count_history': to_weights_only(counts),
                'max_length': int(obj.max_length)}
    if isinstance(obj, np.ndarray):
        return {_ARRAY_TAG: torch.from_numpy(np.ascontiguousarray(obj))}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, Counter):
        return {_COUNTER_TAG: [[to_weights_only(k), v]
                               for k, v in obj.items()]}
    if isinstance(obj, OrderedDict):
        return OrderedDict((k, to_weights_only(v)) for k, v in obj.items())
    if isinstance(obj, dict):  # other dict subclasses become plain dicts
        return {k: to_weights_only(v) for k, v in obj.items()}
    if isinstance(obj, tuple) and not hasattr(obj, '_fields'):
        return tuple(to_weights_only(v) for v in obj)
    if isinstance(obj, list):
        return [to_weights_only(v) for v in obj]
    return obj


def from_weights_only(obj: Any) -> Any:
    """Inverse of :func:`to_weights_only`."""
    if isinstance(obj, dict):
        if obj.get(_BUFFER_TAG) is True:
            return HistoryBuffer(
                from_weights_only(obj['log_history']),
                from_weights_only(obj['count_history']),
                max_length=obj['max_length'])
        if set(obj) == {_ARRAY_TAG}:
            return obj[_ARRAY_TAG].numpy()
        if set(obj) == {_COUNTER_TAG}:
            return Counter({from_weights_only(k): v
                            for k, v in obj[_COUNTER_TAG]})
        return type(obj)((k, from_weights_only(v)) for k, v in obj.items())
    if isinstance(obj, tuple):
        return tuple(from_weights_only(v) for v in obj)
    if isinstance(obj, list):
        return [from_weights_only(v) for v in obj]
    return obj


def non_finite_tensors(state_dict: dict) -> List[str]:
    """Names of floating-point tensors holding NaN or Inf."""
    return [name for name, value in state_dict.items()
            if isinstance(value, torch.Tensor) and value.is_floating_point()
            and not torch.isfinite(value).all()]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(data: bytes, filepath: Union[str, os.PathLike]) -> None:
    """Write ``data`` to ``filepath`` atomically, with umask permissions.

    The bytes go to a temporary file in the same folder, which is flushed,
    fsynced and renamed over the target; on any error the temporary file is
    removed and the target is untouched.
    """
    filepath = str(filepath)
    folder = osp.dirname(osp.abspath(filepath))
    os.makedirs(folder, exist_ok=True)
    handle, tmp_path = tempfile.mkstemp(
        dir=folder, prefix='.' + osp.basename(filepath) + '.',
        suffix=TMP_SUFFIX)
    try:
        # mkstemp creates 0600 whatever the umask: give the file the
        # permissions open() would (colleagues on a shared cluster can read).
        os.chmod(tmp_path, 0o666 & ~_umask())
        with os.fdopen(handle, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_path, filepath)
    except BaseException:
        if osp.exists(tmp_path):
            os.remove(tmp_path)
        raise


def remove_orphan_tmp_files(folder: str, min_age_seconds: float = 60.0
                            ) -> List[str]:
    """Delete temporary files that an interrupted atomic write left in
    ``folder`` (older than ``min_age_seconds``, so a write in progress in
    another process is left alone). Returns the removed paths."""
    removed = []
    now = time.time()
    for path in glob.glob(osp.join(folder, '.*' + TMP_SUFFIX)):
        try:
            if now - osp.getmtime(path) >= min_age_seconds:
                os.remove(path)
                removed.append(path)
        except OSError:
            pass
    return removed


def save_checkpoint(checkpoint: dict,
                    path: str,
                    overwrite: bool = False,
                    source: Optional[str] = None) -> str:
    """Write a converted or exported checkpoint (tensors and strings only).

    Args:
        checkpoint (dict): ``{'state_dict': ..., 'meta': ...}``.
        path (str): Destination.
        overwrite (bool): Replace an existing file. Defaults to False: an
            existing destination is an error (``--force`` in the tools).
        source (str, optional): The file it was made from; writing onto it
            is always refused (it would destroy the source, e.g. a run's
            resumable checkpoint).

    Returns:
        str: ``path``.

    Raises:
        CheckpointError: destination is the source, or exists and
            ``overwrite`` is False.
    """
    if source is not None and osp.exists(path) and \
            osp.samefile(source, path):
        raise CheckpointError(
            f'refusing to write "{path}": it is the source file itself, '
            'which would be lost; give another destination')
    if osp.exists(path) and not overwrite:
        raise CheckpointError(
            f'"{path}" already exists; refusing to overwrite it (pass '
            '--force to replace it)')

    buffer = io.BytesIO()
    torch.save(checkpoint, buffer)
    atomic_write_bytes(buffer.getvalue(), path)
    return path


class AtomicLocalBackend(LocalBackend):
    """Local file backend whose ``put`` writes atomically (see
    :func:`atomic_write_bytes`), so a crash while saving leaves the previous
    checkpoint intact. Select it with
    ``backend_args=dict(backend='atomic_local')`` in ``CheckpointHook``."""

    def put(self, obj: bytes, filepath: Union[str, os.PathLike]) -> None:
        atomic_write_bytes(obj, filepath)

    def put_text(self, obj: str, filepath: Union[str, os.PathLike],
                 encoding: str = 'utf-8') -> None:
        atomic_write_bytes(obj.encode(encoding), filepath)


register_backend('atomic_local', AtomicLocalBackend, force=True)
