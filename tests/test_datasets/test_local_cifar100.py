"""LocalCIFAR100: reads a local copy without MD5/download, and every broken
data root fails early with a message naming the file and what was
expected (issue 8)."""
import os
import os.path as osp
import pickle
import shutil

import numpy as np
import pytest

from mmlogitkd.datasets import local_cifar100 as local_module
from mmlogitkd.datasets import LocalCIFAR100
from mmlogitkd.datasets.generators.embedded_cifar100 import (
    EmbeddedCIFAR100Settings, write_embedded_cifar100)
from mmlogitkd.registry import DATASETS

SETTINGS = EmbeddedCIFAR100Settings(
    train_per_class=1, test_per_class=1, seed=0, fine_jitter=0.3)


@pytest.fixture(scope='module')
def pristine_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('local_cifar'))
    write_embedded_cifar100(root, SETTINGS)
    return root


@pytest.fixture
def root(pristine_root, tmp_path):
    """A private copy each test may break."""
    copy = str(tmp_path / 'data')
    shutil.copytree(pristine_root, copy)
    return copy


def _path(root, name):
    return osp.join(root, 'cifar-100-python', name)


def _load(root, name):
    with open(_path(root, name), 'rb') as f:
        return pickle.load(f, encoding='latin1')


def _dump(root, name, content):
    with open(_path(root, name), 'wb') as f:
        pickle.dump(content, f, protocol=2)


def test_reads_local_copy_without_md5_or_download(root, monkeypatch):
    # Neither a download nor an MD5 computation happens by default.
    def forbidden(*args, **kwargs):
        raise AssertionError('must not be called')

    monkeypatch.setattr(local_module, 'download_and_extract_archive',
                        forbidden)
    monkeypatch.setattr(local_module, 'calculate_md5', forbidden)
    dataset = LocalCIFAR100(data_root=root, split='train')
    assert len(dataset) == 100
    assert sorted(dataset.get_gt_labels().tolist()) == list(range(100))
    assert dataset.CLASSES[0] == 'star_arms3'
    assert dataset.download is False and dataset.check_md5 is False


def test_registered_and_built_from_config(root):
    dataset = DATASETS.build(
        dict(type='LocalCIFAR100', data_root=root, split='test',
             pipeline=[dict(type='PackInputs')]))
    sample = dataset[0]
    assert tuple(sample['inputs'].shape) == (3, 32, 32)
    from mmpretrain.registry import DATASETS as MMPRETRAIN_DATASETS
    assert MMPRETRAIN_DATASETS.get('LocalCIFAR100') is LocalCIFAR100


def test_metainfo_classes_override_meta_file(root):
    os.remove(_path(root, 'meta'))
    names = [f'c{i}' for i in range(100)]
    dataset = LocalCIFAR100(data_root=root, metainfo=dict(classes=names))
    assert list(dataset.CLASSES) == names


def test_check_md5_rejects_non_official_files(root):
    with pytest.raises(ValueError) as info:
        LocalCIFAR100(data_root=root, check_md5=True)
    message = str(info.value)
    assert f"{_path(root, 'train')!r} is not the official CIFAR-100 " \
           "'train' file" in message
    assert 'expected 16019d7e3df5f24257cddd939b257f8d' in message
    assert 'check_md5=False' in message


def test_check_md5_accepts_matching_files(root, monkeypatch):
    # Pretend these files are the official ones: the sums are compared.
    sums = {
        _path(root, name): md5
        for name, md5 in (('train', '16019d7e3df5f24257cddd939b257f8d'),
                          ('test', 'f0ef6b0ae62326f3e7ffdfab6717acfc'),
                          ('meta', '7973b15100ade9c7d40fb424638fde48'))
    }
    monkeypatch.setattr(local_module, 'calculate_md5', sums.__getitem__)
    assert len(LocalCIFAR100(data_root=root, split='test',
                             check_md5=True)) == 100


def test_missing_data_root(tmp_path):
    missing = str(tmp_path / 'nowhere')
    with pytest.raises(FileNotFoundError) as info:
        LocalCIFAR100(data_root=missing)
    message = str(info.value)
    assert f"CIFAR-100 data root {missing!r} does not exist" in message
    assert f'{missing}/cifar-100-python/{{train,test,meta}}' in message
    assert ('python tools/dataset_converters/generate_embedded_cifar100.py '
            f'--out {missing}') in message
    assert 'download=True' in message


def test_data_root_without_cifar_folder(tmp_path):
    with pytest.raises(FileNotFoundError,
                       match="has no 'cifar-100-python' folder"):
        LocalCIFAR100(data_root=str(tmp_path))


@pytest.mark.parametrize('name', ['train', 'test'])
def test_missing_split_file(root, name):
    os.remove(_path(root, name))
    with pytest.raises(FileNotFoundError) as info:
        LocalCIFAR100(data_root=root, split='train')
    assert f'CIFAR-100 file {_path(root, name)!r} is missing' in str(
        info.value)


def test_missing_meta_file(root):
    os.remove(_path(root, 'meta'))
    with pytest.raises(FileNotFoundError) as info:
        LocalCIFAR100(data_root=root)
    message = str(info.value)
    assert f"CIFAR-100 file {_path(root, 'meta')!r} is missing" in message
    assert 'metainfo=dict(classes=' in message


def test_truncated_pickle(root):
    path = _path(root, 'train')
    with open(path, 'rb') as f:
        raw = f.read()
    with open(path, 'wb') as f:
        f.write(raw[:len(raw) // 2])
    with pytest.raises(ValueError) as info:
        LocalCIFAR100(data_root=root, split='train')
    message = str(info.value)
    assert f"{path!r} could not be read as a CIFAR-100 'train' split " \
           'file (truncated or corrupt?' in message
    # The test split is fine and still loads.
    assert len(LocalCIFAR100(data_root=root, split='test')) == 100


def test_not_a_pickle(root):
    with open(_path(root, 'test'), 'wb') as f:
        f.write(b'this is not a pickle')
    with pytest.raises(ValueError, match='truncated or corrupt'):
        LocalCIFAR100(data_root=root, split='test')


def test_pickle_that_would_run_code_is_refused(root, tmp_path):
    marker = tmp_path / 'pwned'

    class Exploit:

        def __reduce__(self):
            return (os.system, (f'touch {marker}', ))

    _dump(root, 'train', {'data': Exploit(), 'fine_labels': []})
    with pytest.raises(ValueError) as info:
        LocalCIFAR100(data_root=root, split='train')
    assert 'refusing to load the global' in str(info.value)
    assert not marker.exists()


def test_content_not_a_dict(root):
    _dump(root, 'test', [1, 2, 3])
    with pytest.raises(ValueError) as info:
        LocalCIFAR100(data_root=root, split='test')
    assert (f"{_path(root, 'test')!r} holds a list, expected the dict of a "
            "CIFAR-100 'test' split file") in str(info.value)


def test_missing_keys(root):
    content = _load(root, 'test')
    del content['fine_labels']
    _dump(root, 'test', content)
    with pytest.raises(ValueError) as info:
        LocalCIFAR100(data_root=root, split='test')
    assert "is not a CIFAR-100 split file: missing keys ['fine_labels']" in \
        str(info.value)


@pytest.mark.parametrize(
    'data, got',
    [(np.zeros((100, 3072), np.float32), 'float32 array of shape (100, 3072)'),
     (np.zeros((100, 1024), np.uint8), 'uint8 array of shape (100, 1024)'),
     (np.zeros((100, 3, 32, 32), np.uint8),
      'uint8 array of shape (100, 3, 32, 32)'), ([0] * 100, 'got list')])
def test_wrong_array_shape_or_dtype(root, data, got):
    content = _load(root, 'test')
    content['data'] = data
    _dump(root, 'test', content)
    with pytest.raises(ValueError) as info:
        LocalCIFAR100(data_root=root, split='test')
    message = str(info.value)
    assert f"'data' in {_path(root, 'test')!r} must be a uint8 array of " \
           'shape (N, 3072)' in message
    assert got in message


def test_label_count_mismatch(root):
    content = _load(root, 'test')
    content['fine_labels'] = content['fine_labels'][:-1]
    _dump(root, 'test', content)
    with pytest.raises(ValueError) as info:
        LocalCIFAR100(data_root=root, split='test')
    assert "has 99 entries but 'data' has 100 rows" in str(info.value)


@pytest.mark.parametrize('bad', [100, -1])
def test_label_out_of_range(root, bad):
    content = _load(root, 'test')
    content['fine_labels'][3] = bad
    _dump(root, 'test', content)
    with pytest.raises(ValueError) as info:
        LocalCIFAR100(data_root=root, split='test')
    assert (f"'fine_labels' in {_path(root, 'test')!r} must be integers in "
            f'[0, 100) (100 classes), found {bad}') in str(info.value)


def test_label_range_follows_the_number_of_classes(root):
    # 10 class names in meta: label 10 and above are out of range.
    meta = _load(root, 'meta')
    meta['fine_label_names'] = meta['fine_label_names'][:10]
    _dump(root, 'meta', meta)
    with pytest.raises(ValueError, match=r'\[0, 10\) \(10 classes\)'):
        LocalCIFAR100(data_root=root, split='test')


def test_meta_without_class_names(root):
    _dump(root, 'meta', {'coarse_label_names': ['a']})
    with pytest.raises(ValueError) as info:
        LocalCIFAR100(data_root=root)
    assert ("must hold a non-empty list of strings under 'fine_label_names'"
            "; found keys ['coarse_label_names']") in str(info.value)


def test_download_fills_a_missing_root(tmp_path, monkeypatch):
    target = str(tmp_path / 'download_here')
    calls = []

    def fake_download(url, download_root, filename=None, md5=None):
        calls.append((url, download_root, filename, md5))
        write_embedded_cifar100(download_root, SETTINGS)

    monkeypatch.setattr(local_module, 'download_and_extract_archive',
                        fake_download)
    dataset = LocalCIFAR100(data_root=target, split='test', download=True)
    assert len(dataset) == 100
    assert calls == [(LocalCIFAR100.url, target, 'cifar-100-python.tar.gz',
                      LocalCIFAR100.tgz_md5)]
    # Files present: no second download.
    LocalCIFAR100(data_root=target, split='test', download=True)
    assert len(calls) == 1


def test_download_failure_names_url_and_alternative(tmp_path, monkeypatch):
    target = str(tmp_path / 'offline')

    def offline(*args, **kwargs):
        raise OSError('network is unreachable')

    monkeypatch.setattr(local_module, 'download_and_extract_archive',
                        offline)
    with pytest.raises(RuntimeError) as info:
        LocalCIFAR100(data_root=target, download=True)
    message = str(info.value)
    assert (f'Downloading CIFAR-100 from {LocalCIFAR100.url} into '
            f"{target!r} failed (OSError: network is unreachable)") in message
    assert 'generate_embedded_cifar100.py' in message
