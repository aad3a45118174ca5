"""Checkpoints given by URL: downloaded once into the cache MMEngine uses.

MMRazor's KD configs name their teachers by URL (``teacher_ckpt='https://
download.openmmlab.com/...pth'``), and model-zoo weights (``pretrained=True``)
are URLs too. :func:`download_checkpoint` puts such a file where MMEngine's
``load_from_http`` and ``torch.hub`` keep theirs
(``<torch.hub.get_dir()>/checkpoints``, moved by ``TORCH_HOME``), with
``torch.hub.download_url_to_file`` (which MMEngine's hub helpers use), and
returns the local path, so that the file is then read, hashed and checked
like any local checkpoint. In a distributed run rank 0 downloads first and
the other ranks wait, as in MMEngine.

File names of the OpenMMLab and torchvision model zoos end with the first
eight or more hex digits of the file's SHA-256 (``..._20210831-f257d4e6.pth``);
when the name has such a suffix the download is checked against it.

Examples:
    >>> from mmlogitkd.checkpoint import download_checkpoint
    >>> path = download_checkpoint(
    ...     'https://download.openmmlab.com/mmclassification/v0/resnet/'
    ...     'resnet34_8xb32_in1k_20210831-f257d4e6.pth')  # doctest: +SKIP
"""
import os
import os.path as osp
import re
from typing import Optional
from urllib.parse import unquote, urlparse

from .loading import CheckpointError, file_sha256

#: URL schemes fetched by :func:`download_checkpoint`.
URL_SCHEMES = ('http', 'https', 'file')
#: A SHA-256 prefix at the end of a model-zoo file name (torch.hub's rule,
#: but at least eight hex digits so that names like ``resnet-18.pth`` are
#: not mistaken for one).
HASH_SUFFIX = re.compile(r'-([a-f0-9]{8,64})\.[^.]+$')


class CheckpointDownloadError(CheckpointError):
    """A checkpoint URL could not be fetched (offline, wrong URL) or the
    file does not have the hash its name promises."""


def is_url(path) -> bool:
    """Whether ``path`` is a URL :func:`download_checkpoint` fetches."""
    return isinstance(path, str) and \
        urlparse(path).scheme.lower() in URL_SCHEMES


def checkpoint_cache_dir() -> str:
    """``<torch.hub.get_dir()>/checkpoints``, where MMEngine's
    ``load_from_http`` and ``torch.hub`` cache downloaded checkpoints."""
    import torch.hub
    return osp.join(torch.hub.get_dir(), 'checkpoints')


def cached_path(url: str, cache_dir: Optional[str] = None) -> str:
    """Where :func:`download_checkpoint` keeps ``url``'s file."""
    name = osp.basename(unquote(urlparse(url).path))
    if not name:
        raise CheckpointDownloadError(
            f'checkpoint URL "{url}" does not end with a file name')
    return osp.join(cache_dir or checkpoint_cache_dir(), name)


def hash_prefix_of(url: str) -> Optional[str]:
    """The SHA-256 prefix in a model-zoo file name, or None."""
    found = HASH_SUFFIX.search(osp.basename(urlparse(url).path))
    return found.group(1) if found else None


def _download(url: str, path: str, setting: str, progress: bool) -> None:
    import torch.hub
    os.makedirs(osp.dirname(path), exist_ok=True)
    try:
        # Writes a temporary file and renames it: no partial file is left
        # under the final name.
        torch.hub.download_url_to_file(url, path, hash_prefix=None,
                                       progress=progress)
    except OSError as error:  # URLError, HTTPError, socket errors
        raise CheckpointDownloadError(
            f'{setting}: could not download "{url}" '
            f'({type(error).__name__}: {error}). Without network access, '
            f'fetch the file elsewhere and copy it to {path} (the cache '
            'MMEngine and torch.hub use; set TORCH_HOME to move it), or set '
            f'{setting} to a local file.') from error


def download_checkpoint(url: str,
                        cache_dir: Optional[str] = None,
                        setting: str = 'checkpoint',
                        progress: Optional[bool] = None) -> str:
    """The local path of the checkpoint at ``url``, downloaded if needed.

    Args:
        url (str): ``http(s)://`` or ``file://`` URL of the checkpoint.
        cache_dir (str, optional): Defaults to :func:`checkpoint_cache_dir`.
        setting (str): The config setting that named the URL, for messages
            (e.g. ``'model.teacher_ckpt'``).
        progress (bool, optional): Show a progress bar; defaults to whether
            stderr is a terminal.

    Returns:
        str: path of the cached file (reused on later calls).

    Raises:
        CheckpointDownloadError: the download failed (the message says where
            to put the file by hand), or the file's SHA-256 does not start
            with the prefix in its name.
    """
    from mmengine.dist import barrier, get_dist_info
    if not is_url(url):
        raise CheckpointDownloadError(
            f'{setting}: "{url}" is not an {"/".join(URL_SCHEMES)} URL')
    path = cached_path(url, cache_dir)
    if progress is None:
        progress = os.isatty(2)
    rank, world_size = get_dist_info()
    if rank == 0 and not osp.isfile(path):
        _download(url, path, setting, progress)
    if world_size > 1:
        barrier()
        if rank > 0 and not osp.isfile(path):  # another node's disk
            _download(url, path, setting, progress)
    prefix = hash_prefix_of(url)
    if prefix is not None:
        digest = file_sha256(path)
        if not digest.startswith(prefix):
            raise CheckpointDownloadError(
                f'{setting}: "{path}" (downloaded from "{url}") has sha256 '
                f'{digest}, but its name says it starts with {prefix}: the '
                'download is corrupt or the file was replaced. Delete it to '
                'download it again.')
    return path
