"""CIFAR-100 read from a local copy: no forced download, no forced MD5.

MMPretrain's :class:`~mmpretrain.datasets.CIFAR100` checks the MD5 of the
files against the official archive and downloads it (``download=True`` is its
default) whenever the check fails, so a user's own copy, a subset or the
embedded dataset of :mod:`mmlogitkd.datasets.generators.embedded_cifar100` cannot be
used offline. :class:`LocalCIFAR100` reads the same ``cifar-100-python``
files, validates their format and fails early with a message that names the
file and what was expected (project issues 2 and 8; stack facts in
docs/supported_versions.md#cifar-100-files-and-md5).
"""
import io
import pickle
from typing import List, Optional

import mmengine.dist as dist
import numpy as np
from mmengine.fileio import LocalBackend, exists, get, get_file_backend
from mmengine.fileio import join_path
from mmpretrain.datasets import CIFAR100
from mmpretrain.datasets.utils import (calculate_md5,
                                       download_and_extract_archive)

from mmlogitkd.registry import register_to_mmpretrain

#: The command that writes a dataset needing no download (shown in errors).
EMBEDDED_COMMAND = ('python tools/dataset_converters/'
                    'generate_embedded_cifar100.py --out {root}')
_IMAGE_BYTES = 3 * 32 * 32
_REQUIRED_KEYS = ('data', 'fine_labels')

# A CIFAR-100 pickle holds a dict of NumPy arrays, lists and strings. These
# are the only globals such a file needs (NumPy array reconstruction under
# its NumPy 1 and NumPy 2 module names; ``_codecs.encode`` is how Python 3
# writes bytes with pickle protocol 2). Anything else could run code.
_ALLOWED_GLOBALS = frozenset({
    ('numpy.core.multiarray', '_reconstruct'),
    ('numpy._core.multiarray', '_reconstruct'),
    ('numpy.core.multiarray', 'scalar'),
    ('numpy._core.multiarray', 'scalar'),
    ('numpy', 'ndarray'),
    ('numpy', 'dtype'),
    ('_codecs', 'encode'),
})


class _CIFARUnpickler(pickle.Unpickler):
    """Unpickles plain data and NumPy arrays only."""

    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(
                f'refusing to load the global {module}.{name}: a CIFAR-100 '
                'file holds only arrays, lists and strings')
        return super().find_class(module, name)


@register_to_mmpretrain('DATASETS')
class LocalCIFAR100(CIFAR100):
    """CIFAR-100 from the ``cifar-100-python`` pickle files on disk.

    Reads ``data_root/cifar-100-python/{train,test,meta}`` (the extracted
    official "python version" archive, or files in the same format such as
    the embedded dataset). Unlike MMPretrain's ``CIFAR100`` it neither
    downloads nor checks MD5 sums unless asked, validates the file format,
    and takes the class names from the ``meta`` file (pass
    ``metainfo=dict(classes=...)`` to override them).

    Args:
        data_root (str): Directory holding ``cifar-100-python/``.
        split (str): ``'train'`` or ``'test'``. Defaults to ``'train'``.
        metainfo (dict, optional): Meta information; ``classes`` here takes
            precedence over the ``meta`` file. Defaults to None.
        download (bool): Download and extract the official archive when the
            files are missing (or fail the MD5 check with
            ``check_md5=True``). Defaults to False.
        check_md5 (bool): Verify that the files are the official CIFAR-100
            files. Defaults to False (only existence and format are checked,
            so a user's own copy or the embedded dataset loads).
        data_prefix (str): Sub-folder of ``data_root``. Defaults to ''.
        test_mode (bool): See :class:`mmpretrain.datasets.BaseDataset`.
            Defaults to False.
        **kwargs: Other arguments of :class:`mmpretrain.datasets.BaseDataset`
            (``pipeline``, ``indices``, ...).

    Raises:
        FileNotFoundError: ``data_root``, the ``cifar-100-python`` folder or
            a split file is missing.
        ValueError: A file is truncated, corrupt or has the wrong content,
            or (with ``check_md5=True``) is not the official file.
    """
    #: Class names come from the ``meta`` file, not from a built-in list.
    METAINFO = {}

    def __init__(self,
                 data_root: str = '',
                 split: str = 'train',
                 metainfo: Optional[dict] = None,
                 download: bool = False,
                 check_md5: bool = False,
                 data_prefix: str = '',
                 test_mode: bool = False,
                 **kwargs):
        # MMPretrain loads the data inside ``__init__``: set this first.
        self.check_md5 = check_md5
        super().__init__(
            data_root=data_root,
            split=split,
            metainfo=metainfo,
            download=download,
            data_prefix=data_prefix,
            test_mode=test_mode,
            **kwargs)

    # ------------------------------------------------------------------
    # Paths and integrity
    # ------------------------------------------------------------------
    @property
    def _root(self) -> str:
        # ``data_root`` joined with an empty prefix ends with '/'.
        root = self.data_prefix['root']
        return root.rstrip('/') or root

    def _file_path(self, filename: str) -> str:
        return join_path(self._root, self.base_folder, filename)

    def _file_names(self) -> List[str]:
        return [name for name, _ in self.train_list + self.test_list]

    def _check_integrity(self) -> bool:
        """Whether the split files exist (and, with ``check_md5``, are the
        official ones). Used to decide whether to download."""
        for name, md5 in self.train_list + self.test_list:
            path = self._file_path(name)
            if not exists(path):
                return False
            if self.check_md5 and calculate_md5(path) != md5:
                return False
        return True

    def _download_if_needed(self) -> None:
        """Download like MMPretrain: on the main process, then a barrier."""
        if dist.is_main_process() and not self._check_integrity():
            if not isinstance(get_file_backend(self._root,
                                               enable_singleton=True),
                              LocalBackend):
                raise RuntimeError(
                    f'CIFAR-100 files under {self._root!r} are missing or '
                    'not official, and download=True only works on local '
                    'storage: copy the files there manually.')
            try:
                download_and_extract_archive(
                    self.url, self._root, filename=self.filename,
                    md5=self.tgz_md5)
            except Exception as error:
                raise RuntimeError(
                    f'Downloading CIFAR-100 from {self.url} into '
                    f'{self._root!r} failed ({type(error).__name__}: '
                    f'{error}). Extract the archive there manually, or use '
                    'the embedded dataset, which needs no download: '
                    f'{EMBEDDED_COMMAND.format(root=self._root)}') from error
        dist.barrier()

    def _expected_layout(self) -> str:
        return (f'expected {self._root}/{self.base_folder}/'
                '{train,test,meta} (the official "CIFAR-100 python version" '
                'archive, extracted). Set download=True to fetch it, or '
                'write the embedded dataset, which needs no download: ' +
                EMBEDDED_COMMAND.format(root=self._root))

    def _check_layout(self) -> None:
        """Fail early, naming the missing path and the expected layout."""
        if not exists(self._root):
            raise FileNotFoundError(
                f'CIFAR-100 data root {self._root!r} does not exist: '
                f'{self._expected_layout()}')
        folder = join_path(self._root, self.base_folder)
        if not exists(folder):
            raise FileNotFoundError(
                f'CIFAR-100 data root {self._root!r} has no '
                f'{self.base_folder!r} folder: {self._expected_layout()}')
        for name in self._file_names():
            path = self._file_path(name)
            if not exists(path):
                raise FileNotFoundError(
                    f'CIFAR-100 file {path!r} is missing: '
                    f'{self._expected_layout()}')

    def _verify_md5(self, name: str, md5: str) -> None:
        path = self._file_path(name)
        actual = calculate_md5(path)
        if actual != md5:
            raise ValueError(
                f'{path!r} is not the official CIFAR-100 {name!r} file: its '
                f'MD5 is {actual}, expected {md5}. Use check_md5=False to '
                'read your own copy or the embedded dataset, or '
                'download=True to fetch the official files.')

    # ------------------------------------------------------------------
    # Reading and validating
    # ------------------------------------------------------------------
    def _read_pickle(self, name: str, what: str) -> dict:
        """Unpickle one file (plain data and NumPy arrays only)."""
        path = self._file_path(name)
        try:
            content = _CIFARUnpickler(
                io.BytesIO(get(path)), encoding='latin1').load()
        except Exception as error:
            raise ValueError(
                f'{path!r} could not be read as a CIFAR-100 {what} file '
                f'(truncated or corrupt? {type(error).__name__}: {error}). '
                'Expected a pickled dict as in the official '
                '"CIFAR-100 python version" archive.') from error
        if not isinstance(content, dict):
            raise ValueError(
                f'{path!r} holds a {type(content).__name__}, expected the '
                f'dict of a CIFAR-100 {what} file.')
        return content

    def _load_meta(self) -> None:
        """Class names from the ``meta`` file's ``fine_label_names``."""
        if self.check_md5:
            self._verify_md5(self.meta['filename'], self.meta['md5'])
        path = self._file_path(self.meta['filename'])
        if not exists(path):
            raise FileNotFoundError(
                f'CIFAR-100 file {path!r} is missing; it holds the class '
                'names (or set them with metainfo=dict(classes=[...])): '
                f'{self._expected_layout()}')
        content = self._read_pickle(self.meta['filename'], 'meta')
        names = content.get(self.meta['key'])
        if (not isinstance(names, (list, tuple)) or not names
                or not all(isinstance(n, str) for n in names)):
            raise ValueError(
                f'{path!r} must hold a non-empty list of strings under '
                f'{self.meta["key"]!r}; found keys {sorted(content)}.')
        self._metainfo.setdefault('classes', list(names))

    def _validate_split(self, content: dict, path: str,
                        num_classes: int) -> tuple:
        missing = [key for key in _REQUIRED_KEYS if key not in content]
        if missing:
            raise ValueError(
                f'{path!r} is not a CIFAR-100 split file: missing keys '
                f'{missing} (found {sorted(content)}).')
        data = content['data']
        if (not isinstance(data, np.ndarray) or data.dtype != np.uint8
                or data.ndim != 2 or data.shape[1] != _IMAGE_BYTES):
            got = (f'{data.dtype} array of shape {data.shape}' if isinstance(
                data, np.ndarray) else type(data).__name__)
            raise ValueError(
                f"'data' in {path!r} must be a uint8 array of shape "
                f'(N, {_IMAGE_BYTES}) (one 3×32×32 image per row, channel '
                f'planes R, G, B), got {got}.')
        labels = np.asarray(content['fine_labels'])
        if labels.ndim != 1 or len(labels) != len(data):
            raise ValueError(
                f"'fine_labels' in {path!r} has {labels.size} entries but "
                f"'data' has {len(data)} rows; expected one label per image.")
        if len(labels) and (not np.issubdtype(labels.dtype, np.integer)
                            or labels.min() < 0
                            or labels.max() >= num_classes):
            bad = (labels if not np.issubdtype(labels.dtype, np.integer) else
                   labels[(labels < 0) | (labels >= num_classes)])
            raise ValueError(
                f"'fine_labels' in {path!r} must be integers in "
                f'[0, {num_classes}) ({num_classes} classes), found '
                f'{bad.tolist()[0]!r}.')
        return data, labels

    def load_data_list(self) -> List[dict]:
        """Read and validate the split; returns ``{'img', 'gt_label'}``
        dicts with RGB HWC uint8 images, as MMPretrain's ``CIFAR100``."""
        if self.download:
            self._download_if_needed()
        self._check_layout()
        if self.check_md5:
            for name, md5 in self.train_list + self.test_list:
                self._verify_md5(name, md5)
        if self.CLASSES is None:
            self._load_meta()
        num_classes = len(self.CLASSES)

        split_list = (self.train_list if self.split == 'train' else
                      self.test_list)
        images, gt_labels = [], []
        for name, _ in split_list:
            content = self._read_pickle(name, f'{self.split!r} split')
            data, labels = self._validate_split(content,
                                                self._file_path(name),
                                                num_classes)
            images.append(data)
            gt_labels.append(labels)
        images = np.concatenate(images).reshape(-1, 3, 32, 32)
        images = images.transpose(0, 2, 3, 1)  # HWC, still RGB
        gt_labels = np.concatenate(gt_labels)
        return [{'img': img, 'gt_label': int(label)}
                for img, label in zip(images, gt_labels)]
