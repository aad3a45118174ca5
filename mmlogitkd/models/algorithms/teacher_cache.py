"""An exact cache of the teacher's logits, shared by every run that would
compute the same ones.

The teacher never changes during distillation, yet every run, every seed and
every method of a sweep pays for its forward pass on every step. With the
training augmentation on the device (``augment_on_device``), a sample's views
are a function of (seed, epoch, sample index, view) alone, so the teacher's
logits for a run are a function of its **key**: the teacher checkpoint's
SHA-256, a fingerprint of the training data, the pipeline and preprocessor,
the seed, the source code that makes the views and defines the teacher's
layers, and how the teacher is called (views per forward, per-rank batch
size, world size, autocast, memory format, torch version and device). The
first run with a key stores the logits as it trains; later runs with the same
key read them instead of running the teacher.

Exactness: the key includes what decides the batch composition of the
teacher's forward (per-rank batch size, world size, views), so a run reading
a float32 cache sees bit for bit the logits the teacher would compute, and
ends bit-identical to the same run without the cache. float16 storage halves
the disk (CIFAR-100: 50,000 samples x 100 logits x 2 bytes = 10 MB per epoch
and view) at the price of exactness (relative error about 5e-4).

Layout: ``<root>/<key hash>/key.json`` (the key, checked on every open) and
one shard per (epoch, rank, write) ``epoch_<e>/<rank>-<uid>-<n>.pth``
holding ``indices`` ``[n]``, ``logits`` ``[n, V, C]`` and the key hash. A
shard is written atomically when an epoch ends and before every checkpoint,
so a killed run loses at most the rows since its last checkpoint, and a
resumed run reads what was stored. A key mismatch is another directory: it
recomputes and never reuses. A truncated or foreign shard is refused with an
error naming the file.

Configure with one key of :class:`~mmlogitkd.models.LogitDistiller`::

    model = dict(teacher_cache=dict(root='work_dirs/teacher_cache',
                                    dtype='float32'))

:class:`~mmlogitkd.engine.hooks.TeacherCacheHook` (in the default runtime)
computes the key when training starts and flushes the shards.
"""
import hashlib
import io
import json
import os
import os.path as osp
import uuid
from typing import Dict, List, Optional, Sequence

import torch

from mmlogitkd.checkpoint import atomic_write_bytes, load_checkpoint_file

DTYPES = {'float32': torch.float32, 'float16': torch.float16}
KEY_FILE = 'key.json'


class TeacherCacheError(RuntimeError):
    """A cache file cannot be used; the message names it."""


def key_hash(key: dict) -> str:
    """SHA-256 of the canonical JSON of ``key`` (its directory name)."""
    text = json.dumps(key, sort_keys=True, default=str)
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


class TeacherLogitCache:
    """Teacher logits by (epoch, sample index), all views of a sample in one
    row.

    Args:
        root (str): Folder holding one sub-folder per key.
        dtype (str): ``'float32'`` (exact) or ``'float16'`` (half the disk).
            Defaults to 'float32'.

    Examples:
        >>> cache = TeacherLogitCache('work_dirs/teacher_cache')
        >>> cache.open(dict(teacher_sha256='ab...', seed=0), rank=0)
        >>> cache.begin_epoch(0, num_samples=50000)
        >>> cache.lookup([3, 7])          # None until stored  # doctest: +SKIP
    """

    def __init__(self, root: str, dtype: str = 'float32') -> None:
        if dtype not in DTYPES:
            raise ValueError(f'model.teacher_cache.dtype must be one of '
                             f'{tuple(DTYPES)}, got {dtype!r}')
        if not root or not isinstance(root, str):
            raise ValueError('model.teacher_cache.root must be a folder, got '
                             f'{root!r}')
        self.root = root
        self.dtype_name = dtype
        self.dtype = DTYPES[dtype]
        self.key: Optional[dict] = None
        self.hash: Optional[str] = None
        self.folder: Optional[str] = None
        self.rank = 0
        self._uid = uuid.uuid4().hex[:8]
        self._writes = 0
        self._epoch: Optional[int] = None
        self._rows: Optional[torch.Tensor] = None   # sample -> row or -1
        self._table: Optional[torch.Tensor] = None  # [rows, V, C]
        self._pending: List[tuple] = []
        self.hits = self.misses = 0

    @property
    def is_open(self) -> bool:
        return self.folder is not None

    # ------------------------------------------------------------------
    def open(self, key: dict, rank: int = 0) -> str:
        """Select (or create) the folder of ``key``; returns it.

        Raises:
            TeacherCacheError: the folder's ``key.json`` holds another key
                (a foreign or edited folder).
        """
        key = dict(key, dtype=self.dtype_name)
        self.key, self.hash, self.rank = key, key_hash(key), int(rank)
        self.folder = osp.join(self.root, self.hash)
        os.makedirs(self.folder, exist_ok=True)
        path = osp.join(self.folder, KEY_FILE)
        text = json.dumps(key, sort_keys=True, indent=1, default=str)
        if osp.exists(path):
            with open(path) as f:
                try:
                    stored = json.load(f)
                except json.JSONDecodeError as error:
                    raise TeacherCacheError(
                        f'teacher cache: "{path}" is not valid JSON '
                        f'({error}); delete the folder {self.folder} to '
                        'recompute it') from error
            if key_hash(stored) != self.hash:
                raise TeacherCacheError(
                    f'teacher cache: "{path}" holds another key than its '
                    f'folder name {self.hash} says; the folder was edited or '
                    f'copied: delete {self.folder} to recompute it')
        else:
            atomic_write_bytes(text.encode('utf-8'), path)
        return self.folder

    def begin_epoch(self, epoch: int, num_samples: int) -> int:
        """Load every stored row of ``epoch``; returns how many samples are
        cached."""
        self._require_open()
        self.flush()
        self._epoch = int(epoch)
        self._rows = torch.full((int(num_samples), ), -1, dtype=torch.long)
        self._table = None
        self.hits = self.misses = 0
        tables, offset = [], 0
        for path in self._shards(epoch):
            indices, logits = self._read_shard(path)
            if len(indices) and int(indices.max()) >= num_samples:
                raise TeacherCacheError(
                    f'teacher cache: "{path}" holds sample index '
                    f'{int(indices.max())} but the dataset has {num_samples} '
                    'samples; it does not belong to this run')
            new = self._rows[indices] < 0
            indices, logits = indices[new], logits[new]
            self._rows[indices] = torch.arange(offset, offset + len(indices))
            offset += len(indices)
            tables.append(logits)
        if tables:
            self._table = torch.cat(tables)
        return int((self._rows >= 0).sum())

    def lookup(self, sample_indices: Sequence[int]
               ) -> Optional[List[torch.Tensor]]:
        """The stored logits ``[view][B, C]`` (float32) if every sample of
        the batch is cached, else None (the teacher then runs on the whole
        batch, so its batch composition, and its bits, stay the same)."""
        if self._rows is None or self._table is None:
            self.misses += 1
            return None
        indices = torch.as_tensor(sample_indices, dtype=torch.long)
        rows = self._rows[indices]
        if bool((rows < 0).any()):
            self.misses += 1
            return None
        self.hits += 1
        logits = self._table[rows].float()
        return list(logits.unbind(1))

    def store(self, sample_indices: Sequence[int],
              views: Sequence[torch.Tensor]) -> None:
        """Queue the teacher's logits of a batch (one ``[B, C]`` per view)
        for the next :meth:`flush`."""
        if self._epoch is None:
            return
        indices = torch.as_tensor(sample_indices, dtype=torch.long)
        logits = torch.stack([v.detach() for v in views], dim=1).to(
            'cpu', self.dtype)
        self._pending.append((indices, logits))

    def flush(self) -> Optional[str]:
        """Write the queued rows as one shard (atomically); returns its
        path, or None when nothing was queued."""
        if not self._pending or self._epoch is None:
            self._pending = []
            return None
        indices = torch.cat([i for i, _ in self._pending])
        logits = torch.cat([v for _, v in self._pending])
        self._pending = []
        folder = osp.join(self.folder, f'epoch_{self._epoch}')
        os.makedirs(folder, exist_ok=True)
        self._writes += 1
        path = osp.join(folder,
                        f'rank{self.rank}-{self._uid}-{self._writes}.pth')
        buffer = io.BytesIO()
        torch.save(dict(indices=indices, logits=logits, key_hash=self.hash,
                        dtype=self.dtype_name), buffer)
        atomic_write_bytes(buffer.getvalue(), path)
        return path

    # ------------------------------------------------------------------
    def _require_open(self) -> None:
        if not self.is_open:
            raise RuntimeError('TeacherLogitCache.open(key) was not called '
                               '(TeacherCacheHook does it when training '
                               'starts)')

    def _shards(self, epoch: int) -> List[str]:
        folder = osp.join(self.folder, f'epoch_{int(epoch)}')
        if not osp.isdir(folder):
            return []
        return sorted(
            osp.join(folder, name) for name in os.listdir(folder)
            if name.endswith('.pth') and not name.startswith('.'))

    def _read_shard(self, path: str):
        try:
            shard = load_checkpoint_file(path, allow_unsafe=False)
        except Exception as error:  # noqa: B902  (any unreadable file)
            raise TeacherCacheError(
                f'teacher cache: cannot read shard "{path}" ({error}); it is '
                'truncated or not a cache file. Delete it (or its folder) to '
                'recompute those logits.') from error
        if not isinstance(shard, dict) or \
                not {'indices', 'logits', 'key_hash'} <= set(shard):
            raise TeacherCacheError(
                f'teacher cache: "{path}" is not a cache shard (expected '
                'indices, logits and key_hash); delete it')
        if shard['key_hash'] != self.hash:
            raise TeacherCacheError(
                f'teacher cache: "{path}" was written for key '
                f'{shard["key_hash"]}, not {self.hash} (a foreign file in '
                'this folder); delete it')
        indices, logits = shard['indices'], shard['logits']
        views = self.key.get('num_views') if self.key else None
        if logits.dim() != 3 or len(indices) != len(logits) or \
                (views is not None and logits.shape[1] != views):
            raise TeacherCacheError(
                f'teacher cache: "{path}" holds logits of shape '
                f'{tuple(logits.shape)} for {len(indices)} samples, expected '
                f'[{len(indices)}, {views}, C]; delete it')
        if logits.dtype != self.dtype:
            raise TeacherCacheError(
                f'teacher cache: "{path}" holds {logits.dtype} logits, the '
                f'cache is configured as {self.dtype_name}; delete it')
        return indices.long(), logits

    def summary(self) -> Dict[str, int]:
        """Batches served from the cache and computed, this epoch."""
        return dict(hits=self.hits, misses=self.misses)
