"""Checkpoints that load with ``weights_only=True`` and are written atomically.

MMEngine stores its ``MessageHub`` (``HistoryBuffer`` objects holding NumPy
arrays) and NumPy scalars (metric values) in every runner checkpoint, so on
torch >= 2.6 its own checkpoints need full unpickling to resume
(ANCHORS.md §7.4). :func:`to_weights_only` rewrites those objects as tensors
and plain containers before saving, and :func:`from_weights_only` restores
them after loading, so our runs' checkpoints resume, export and convert
without ever unpickling arbitrary objects.
"""
import os
import os.path as osp
import tempfile
from collections import Counter, OrderedDict
from typing import Any, Union

import numpy as np
import torch
from mmengine.fileio.backends import LocalBackend, register_backend
from mmengine.logging import HistoryBuffer

_BUFFER_TAG = '__history_buffer__'
_ARRAY_TAG = '__ndarray__'
_COUNTER_TAG = '__counter__'  # MultiStepLR keeps its milestones in a Counter


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


def non_finite_tensors(state_dict: dict) -> list:
    """Names of floating-point tensors holding NaN or Inf."""
    return [name for name, value in state_dict.items()
            if isinstance(value, torch.Tensor) and value.is_floating_point()
            and not torch.isfinite(value).all()]


class AtomicLocalBackend(LocalBackend):
    """Local file backend whose ``put`` writes a temporary file in the same
    folder and renames it over the target, so a crash while saving leaves the
    previous checkpoint intact. Select it with
    ``backend_args=dict(backend='atomic_local')`` in ``CheckpointHook``."""

    def put(self, obj: bytes, filepath: Union[str, os.PathLike]) -> None:
        self._atomic_write(obj, filepath, 'wb')

    def put_text(self, obj: str, filepath: Union[str, os.PathLike],
                 encoding: str = 'utf-8') -> None:
        self._atomic_write(obj.encode(encoding), filepath, 'wb')

    @staticmethod
    def _atomic_write(data: bytes, filepath, mode: str) -> None:
        filepath = str(filepath)
        folder = osp.dirname(osp.abspath(filepath))
        os.makedirs(folder, exist_ok=True)
        handle, tmp_path = tempfile.mkstemp(
            dir=folder, prefix='.' + osp.basename(filepath) + '.',
            suffix='.tmp')
        try:
            with os.fdopen(handle, mode) as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp_path, filepath)
        except BaseException:
            if osp.exists(tmp_path):
                os.remove(tmp_path)
            raise


register_backend('atomic_local', AtomicLocalBackend, force=True)
