"""Reading checkpoint files: weights-only first, the trust rules for full
unpickling, and errors that say what is wrong with a file."""
import os
import pickle

import pytest
import torch

from mmlogitkd.checkpoint import loading


def _save_with_object(path):
    torch.save({'state_dict': {'w': torch.ones(2)},
                'meta': {'obj': pickle.PickleError('not a tensor')}}, path)


def test_untrusted_checkpoint_is_refused_with_explanation(tmp_path):
    path = str(tmp_path / 'foreign.pth')
    _save_with_object(path)
    with pytest.raises(loading.UntrustedCheckpointError) as error:
        loading.load_checkpoint_file(path)
    message = str(error.value)
    assert 'foreign.pth' in message
    assert 'arbitrary code' in message
    assert loading.TRUST_ENV in message


def test_tensor_only_checkpoint_loads_weights_only(tmp_path):
    path = str(tmp_path / 'plain.pth')
    torch.save({'state_dict': {'w': torch.ones(2)}, 'meta': {'a': 'b'}},
               path)
    assert torch.equal(loading.load_checkpoint_file(path)['state_dict']['w'],
                       torch.ones(2))


def test_trusted_path_and_opt_in(tmp_path, monkeypatch):
    run_dir = tmp_path / 'work_dir'
    run_dir.mkdir()
    path = str(run_dir / 'epoch_1.pth')
    _save_with_object(path)
    monkeypatch.setattr(loading, '_trusted_paths', set())
    with pytest.raises(loading.UntrustedCheckpointError):
        loading.load_checkpoint_file(path)
    loading.trust_checkpoint_path(str(run_dir))
    with pytest.warns(UserWarning, match='full unpickling'):
        assert 'meta' in loading.load_checkpoint_file(path)
    monkeypatch.setattr(loading, '_trusted_paths', set())
    monkeypatch.setenv(loading.TRUST_ENV, '1')
    with pytest.warns(UserWarning):
        assert 'meta' in loading.load_checkpoint_file(path)


@pytest.mark.parametrize('content,name', [
    (b'', 'empty'),
    (bytes(range(256)) * 4, 'random bytes'),
    (b'\x80\x02garbage that is no pickle', 'broken legacy pickle'),
])
def test_not_a_checkpoint_is_named_with_its_size(tmp_path, content, name):
    """Empty, random or broken files are "not a PyTorch checkpoint (N
    bytes)", never a security refusal (whose advice would not help)."""
    path = tmp_path / 'epoch_1.pth'
    path.write_bytes(content)
    with pytest.raises(loading.NotACheckpointError) as error:
        loading.load_checkpoint_file(str(path))
    message = str(error.value)
    assert f'"{path}" is not a PyTorch checkpoint ({len(content)} bytes' \
        in message, name
    assert 'TRUST' not in message


def test_truncated_checkpoint_is_named(tmp_path):
    path = tmp_path / 'epoch_2.pth'
    torch.save({'state_dict': {'w': torch.ones(1000)}}, str(path))
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(loading.NotACheckpointError,
                       match=r'is not a PyTorch checkpoint \(\d+ bytes'):
        loading.load_checkpoint_file(str(path))


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match='nothere.pth'):
        loading.load_checkpoint_file(str(tmp_path / 'nothere.pth'))


def test_file_sha256_of_known_bytes(tmp_path):
    path = tmp_path / 'f'
    path.write_bytes(b'abc')
    assert loading.file_sha256(str(path)) == (
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
