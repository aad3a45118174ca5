"""Writing checkpoints: tensors-only content, atomic writes with umask
permissions, and no silent overwrite."""
import os
import stat

import pytest
import torch

from mmlogitkd.checkpoint import (AtomicLocalBackend, CheckpointError,
                                  atomic_write_bytes, from_weights_only,
                                  load_checkpoint_file,
                                  remove_orphan_tmp_files, save_checkpoint,
                                  to_weights_only)


def test_plain_values_unchanged():
    value = {'a': [1, 2.0, 'x'], 'b': ('y', None)}
    assert to_weights_only(value) == value
    assert from_weights_only(value) == value


def test_atomic_put_keeps_previous_file_on_crash(tmp_path, monkeypatch):
    backend = AtomicLocalBackend()
    path = tmp_path / 'epoch_1.pth'
    backend.put(b'old', path)
    assert path.read_bytes() == b'old'

    def crash(*args, **kwargs):
        raise KeyboardInterrupt('killed while saving')

    monkeypatch.setattr(os, 'replace', crash)
    with pytest.raises(KeyboardInterrupt):
        backend.put(b'new', path)
    assert path.read_bytes() == b'old'
    assert os.listdir(tmp_path) == ['epoch_1.pth']  # no temp file left
    monkeypatch.undo()
    backend.put_text('latest', tmp_path / 'last_checkpoint')
    assert (tmp_path / 'last_checkpoint').read_text() == 'latest'


def test_backend_selectable_by_config():
    from mmengine.fileio import get_file_backend
    backend = get_file_backend('work_dirs/x',
                               backend_args=dict(backend='atomic_local'))
    assert isinstance(backend, AtomicLocalBackend)


@pytest.mark.parametrize('umask', [0o022, 0o077, 0o002])
def test_atomic_write_respects_the_umask(tmp_path, umask):
    """mkstemp creates 0600 files; ours get what open() would give."""
    previous = os.umask(umask)
    try:
        path = tmp_path / 'epoch_1.pth'
        atomic_write_bytes(b'data', path)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_orphan_tmp_files_are_removed(tmp_path):
    orphan = tmp_path / '.epoch_3.pth.abc123.tmp'
    orphan.write_bytes(b'half a checkpoint')
    fresh = tmp_path / '.epoch_4.pth.def456.tmp'
    fresh.write_bytes(b'being written')
    keep = tmp_path / 'epoch_2.pth'
    keep.write_bytes(b'ok')
    old = orphan.stat().st_mtime - 3600
    os.utime(orphan, (old, old))
    assert remove_orphan_tmp_files(str(tmp_path)) == [str(orphan)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        '.epoch_4.pth.def456.tmp', 'epoch_2.pth']


def test_save_checkpoint_refuses_overwrite_and_the_source(tmp_path):
    src = tmp_path / 'epoch_1.pth'
    content = {'state_dict': {'w': torch.ones(2)}, 'meta': {'a': 'b'}}
    save_checkpoint(content, str(src))
    with pytest.raises(CheckpointError, match='it is the source file'):
        save_checkpoint(content, str(src), overwrite=True, source=str(src))
    with pytest.raises(CheckpointError, match='already exists.*--force'):
        save_checkpoint(content, str(src))
    before = src.read_bytes()
    new = {'state_dict': {'w': torch.zeros(2)}, 'meta': {}}
    save_checkpoint(new, str(src), overwrite=True)
    assert src.read_bytes() != before
    loaded = load_checkpoint_file(str(src))
    assert torch.equal(loaded['state_dict']['w'], torch.zeros(2))
