"""The teacher-logit store: rows by (epoch, sample index), exact float32,
half-size float16, and refusals that name the file at fault."""
import json
import os
import os.path as osp

import pytest
import torch

from mmlogitkd.models.algorithms.teacher_cache import (TeacherCacheError,
                                                       TeacherLogitCache,
                                                       key_hash)

KEY = dict(teacher_sha256='ab' * 32, seed=0, num_views=2)


def _logits(indices, views=2, classes=5):
    return [torch.stack([torch.arange(classes).float() * (i % 7 + 1) + v
                         for i in indices]) for v in range(views)]


def test_stored_rows_are_read_back_exactly(tmp_path):
    cache = TeacherLogitCache(str(tmp_path))
    folder = cache.open(KEY, rank=0)
    assert osp.basename(folder) == key_hash(dict(KEY, dtype='float32'))
    assert cache.begin_epoch(0, num_samples=10) == 0
    assert cache.lookup([1, 2]) is None
    cache.store([1, 2], _logits([1, 2]))
    cache.store([5], _logits([5]))
    path = cache.flush()
    assert osp.dirname(path).endswith('epoch_0')
    # a new run (another cache object) with the same key reads them
    other = TeacherLogitCache(str(tmp_path))
    other.open(KEY, rank=1)
    assert other.begin_epoch(0, num_samples=10) == 3
    got = other.lookup([5, 1])
    expected = _logits([5, 1])
    assert all(torch.equal(a, b) for a, b in zip(got, expected))
    assert other.lookup([1, 3]) is None  # one sample missing: recompute all
    assert other.summary() == dict(hits=1, misses=1)
    assert other.begin_epoch(1, num_samples=10) == 0  # epochs are separate


def test_float16_halves_the_disk(tmp_path):
    sizes = {}
    for dtype in ('float32', 'float16'):
        cache = TeacherLogitCache(str(tmp_path / dtype), dtype=dtype)
        cache.open(KEY)
        cache.begin_epoch(0, 1000)
        cache.store(range(1000), _logits(range(1000), classes=100))
        sizes[dtype] = osp.getsize(cache.flush())
        cache.begin_epoch(0, 1000)
        got = cache.lookup([999])[1]
        assert got.dtype == torch.float32
        torch.testing.assert_close(got, _logits([999], classes=100)[1],
                                   rtol=1e-3, atol=0)
    assert sizes['float16'] < 0.55 * sizes['float32']


def test_another_key_is_another_folder_and_an_edited_key_is_refused(
        tmp_path):
    first = TeacherLogitCache(str(tmp_path))
    second = TeacherLogitCache(str(tmp_path))
    assert first.open(KEY) != second.open(dict(KEY, seed=1))
    key_file = osp.join(first.folder, 'key.json')
    with open(key_file, 'w') as f:
        json.dump(dict(KEY, seed=5), f)
    with pytest.raises(TeacherCacheError, match='holds another key'):
        TeacherLogitCache(str(tmp_path)).open(KEY)


def _written_shard(tmp_path):
    cache = TeacherLogitCache(str(tmp_path))
    cache.open(KEY)
    cache.begin_epoch(0, 10)
    cache.store([1, 2], _logits([1, 2]))
    return cache, cache.flush()


def test_truncated_shard_is_refused_with_its_name(tmp_path):
    cache, path = _written_shard(tmp_path)
    data = open(path, 'rb').read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 2])
    with pytest.raises(TeacherCacheError,
                       match=f'cannot read shard "{path}".*truncated'):
        cache.begin_epoch(0, 10)


def test_foreign_shard_is_refused(tmp_path):
    cache, path = _written_shard(tmp_path)
    torch.save(dict(indices=torch.tensor([3]), logits=torch.zeros(1, 2, 5),
                    key_hash='0' * 64, dtype='float32'), path)
    with pytest.raises(TeacherCacheError, match='written for key 0{64}'):
        cache.begin_epoch(0, 10)
    torch.save({'weights': torch.zeros(1)}, path)
    with pytest.raises(TeacherCacheError, match='is not a cache shard'):
        cache.begin_epoch(0, 10)
    os.remove(path)
    cache.begin_epoch(0, 10)  # without it the epoch is simply recomputed


def test_rows_beyond_the_dataset_are_refused(tmp_path):
    cache, _ = _written_shard(tmp_path)
    with pytest.raises(TeacherCacheError, match='sample index 2 but the '
                       'dataset has 2 samples'):
        cache.begin_epoch(0, 2)


def test_bad_settings_are_named(tmp_path):
    with pytest.raises(ValueError, match='teacher_cache.dtype'):
        TeacherLogitCache(str(tmp_path), dtype='bfloat16')
    with pytest.raises(ValueError, match='teacher_cache.root'):
        TeacherLogitCache('')
