"""Checkpoint URLs: downloaded once into MMEngine's cache (file:// and a
local HTTP server), hashed, and a clear error when the network is off."""
import functools
import hashlib
import http.server
import os
import os.path as osp
import socket
import threading

import pytest
import torch

from mmlogitkd.checkpoint import download
from mmlogitkd.checkpoint.download import (CheckpointDownloadError,
                                           cached_path, download_checkpoint,
                                           hash_prefix_of, is_url)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """TORCH_HOME in a temporary folder: the cache starts empty."""
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    return osp.join(str(tmp_path / 'torch_home'), 'hub', 'checkpoints')


def write_checkpoint(path):
    torch.save({'state_dict': {'w': torch.arange(3.)}}, path)
    return hashlib.sha256(open(path, 'rb').read()).hexdigest()


def test_url_rules():
    assert is_url('https://download.openmmlab.com/a.pth')
    assert is_url('file:///tmp/a.pth')
    assert not is_url('checkpoints/a.pth') and not is_url(None)
    assert hash_prefix_of('https://x/resnet34_8xb32_in1k_20210831-f257d4e6'
                          '.pth') == 'f257d4e6'
    # fewer than eight hex digits is a name, not a hash
    assert hash_prefix_of('https://x/resnet-18.pth') is None
    assert cached_path('https://x/y/a%20b.pth', '/c') == '/c/a b.pth'
    with pytest.raises(CheckpointDownloadError, match='file name'):
        cached_path('https://x/', '/c')


def test_file_url_is_cached_once(tmp_path, cache):
    source = str(tmp_path / 'teacher.pth')
    write_checkpoint(source)
    path = download_checkpoint('file://' + source)
    assert path == osp.join(cache, 'teacher.pth')
    assert open(path, 'rb').read() == open(source, 'rb').read()
    # A second call reuses the cached file (the source may be gone).
    import os
    os.remove(source)
    assert download_checkpoint('file://' + source) == path


def test_hash_suffix_of_the_name_is_checked(tmp_path, cache):
    source = str(tmp_path / 'teacher-deadbeef.pth')
    write_checkpoint(source)
    with pytest.raises(CheckpointDownloadError,
                       match='starts with deadbeef.*Delete it'):
        download_checkpoint('file://' + source)
    good = str(tmp_path / 'teacher.pth')
    digest = write_checkpoint(good)
    named = str(tmp_path / f'teacher-{digest[:8]}.pth')
    os.replace(good, named)
    assert osp.isfile(download_checkpoint('file://' + named))


@pytest.fixture
def http_server(tmp_path):
    folder = tmp_path / 'served'
    folder.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ('127.0.0.1', 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f'http://127.0.0.1:{server.server_address[1]}'
    server.shutdown()
    server.server_close()


def test_http_download(http_server, cache):
    folder, base = http_server
    digest = write_checkpoint(str(folder / 'teacher.pth'))
    path = download_checkpoint(base + '/teacher.pth', setting='x')
    assert hashlib.sha256(open(path, 'rb').read()).hexdigest() == digest
    with pytest.raises(CheckpointDownloadError,
                       match='x: could not download .*HTTPError'):
        download_checkpoint(base + '/missing.pth', setting='x')
    assert not osp.exists(osp.join(cache, 'missing.pth'))


def closed_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_offline_error_names_setting_and_cache(cache):
    url = f'http://127.0.0.1:{closed_port()}/resnet34.pth'
    with pytest.raises(CheckpointDownloadError) as error:
        download_checkpoint(url, setting='model.teacher_ckpt')
    message = str(error.value)
    assert message.startswith('model.teacher_ckpt: could not download '
                              f'"{url}"')
    assert osp.join(cache, 'resnet34.pth') in message
    assert 'TORCH_HOME' in message and 'local file' in message


def test_not_a_url_is_refused():
    with pytest.raises(CheckpointDownloadError, match='not an http'):
        download.download_checkpoint('checkpoints/a.pth')
