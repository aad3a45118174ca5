"""The embedded CIFAR-100-format generator: determinism, file format, the
files read back by LocalCIFAR100, the skip logic and the CLI."""
import os
import os.path as osp
import pickle
import runpy
import sys

import cv2
import numpy as np
import pytest

from mmlogitkd.datasets import LocalCIFAR100
from mmlogitkd.datasets.generators.embedded_cifar100 import (
    DISCRETE_START, SUPERCLASSES, EmbeddedCIFAR100Settings,
    coarse_class_names, fine_class_names, generate_split, render_image,
    render_sample_grid, write_embedded_cifar100)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
CLI = osp.join(REPO_ROOT, 'tools', 'dataset_converters',
               'generate_embedded_cifar100.py')
TINY = EmbeddedCIFAR100Settings(
    train_per_class=3, test_per_class=2, seed=0, fine_jitter=0.3)


def _read_bytes(root):
    folder = osp.join(root, 'cifar-100-python')
    out = {}
    for name in ('train', 'test', 'meta'):
        with open(osp.join(folder, name), 'rb') as f:
            out[name] = f.read()
    return out


def _unpickle(root, name):
    with open(osp.join(root, 'cifar-100-python', name), 'rb') as f:
        return pickle.load(f, encoding='latin1')


@pytest.fixture(scope='module')
def tiny_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('embedded'))
    write_embedded_cifar100(root, TINY)
    return root


def test_same_seed_gives_identical_bytes(tiny_root, tmp_path):
    other = str(tmp_path / 'again')
    summary = write_embedded_cifar100(other, TINY)
    assert summary['skipped'] is False
    assert _read_bytes(other) == _read_bytes(tiny_root)


def test_different_seed_gives_different_images(tiny_root, tmp_path):
    other = str(tmp_path / 'seed1')
    write_embedded_cifar100(
        other, EmbeddedCIFAR100Settings(3, 2, seed=1, fine_jitter=0.3))
    a, b = _unpickle(tiny_root, 'train'), _unpickle(other, 'train')
    assert a['data'].shape == b['data'].shape
    assert not np.array_equal(a['data'], b['data'])
    # Same class names whatever the seed.
    assert _read_bytes(other)['meta'] == _read_bytes(tiny_root)['meta']


def test_images_do_not_depend_on_drawing_order():
    # Image i is drawn from its own generator (seed, split, i): drawing the
    # split again, or one image alone, gives the same pixels.
    split = generate_split(TINY, 'test')
    index = 7
    rng = np.random.default_rng([TINY.seed, 1, index])
    alone = render_image(split['fine_labels'][index], rng, TINY.fine_jitter)
    assert np.array_equal(
        alone.transpose(2, 0, 1).reshape(-1), split['data'][index])


def test_file_format(tiny_root):
    folder = osp.join(tiny_root, 'cifar-100-python')
    assert sorted(os.listdir(folder)) == ['meta', 'test', 'train']
    for name in ('train', 'test', 'meta'):
        with open(osp.join(folder, name), 'rb') as f:
            assert f.read(2) == b'\x80\x02'  # pickle protocol 2
    for split, per_class in (('train', 3), ('test', 2)):
        content = _unpickle(tiny_root, split)
        assert set(content) == {
            'data', 'fine_labels', 'coarse_labels', 'filenames',
            'batch_label'
        }
        data = content['data']
        assert data.dtype == np.uint8 and data.shape == (100 * per_class,
                                                         3072)
        fine = np.array(content['fine_labels'])
        coarse = np.array(content['coarse_labels'])
        assert np.array_equal(np.bincount(fine, minlength=100),
                              np.full(100, per_class))
        assert np.array_equal(coarse, fine // 5)
        assert coarse.min() == 0 and coarse.max() == 19
        # Shuffled like CIFAR, not sorted by class.
        assert not np.array_equal(fine, np.sort(fine))
        assert len(set(content['filenames'])) == len(fine)
        names = fine_class_names()
        assert all(
            filename.startswith(names[label] + '_')
            for filename, label in zip(content['filenames'], fine))
        assert content['batch_label'].startswith(
            'training' if split == 'train' else 'testing')
    meta = _unpickle(tiny_root, 'meta')
    assert meta['fine_label_names'] == fine_class_names()
    assert meta['coarse_label_names'] == coarse_class_names()


def test_class_names_are_meaningful():
    names = fine_class_names()
    assert len(names) == len(set(names)) == 100
    assert names[:5] == [f'star_arms{k}' for k in range(3, 8)]
    assert coarse_class_names()[0] == 'star'
    assert len(coarse_class_names()) == 20
    # Every fine axis serves four superclasses, and only axes the strong view
    # keeps define a class (no hue, thickness or aspect ratio).
    axes = [axis for _, axis in SUPERCLASSES]
    assert {axis: axes.count(axis) for axis in axes} == {
        'arms': 4, 'size': 4, 'period': 4, 'ratio': 4, 'count': 4}
    assert DISCRETE_START == {'arms': 3, 'count': 2}


def test_local_cifar100_reads_the_files(tiny_root):
    raw = _unpickle(tiny_root, 'train')
    dataset = LocalCIFAR100(data_root=tiny_root, split='train')
    assert len(dataset) == 300
    assert list(dataset.CLASSES) == fine_class_names()
    assert dataset.get_gt_labels().tolist() == raw['fine_labels']
    # CHW rows become RGB HWC images.
    expected = raw['data'][5].reshape(3, 32, 32).transpose(1, 2, 0)
    assert np.array_equal(dataset[5]['img'], expected)
    test = LocalCIFAR100(data_root=tiny_root, split='test', test_mode=True)
    assert len(test) == 200


def test_colour_and_contrast_carry_no_label():
    """What the strong view changes (colour, brightness, contrast) must not
    tell the class: a nearest-class-mean classifier on each image's mean and
    standard deviation per channel stays at chance (1 % of the fine classes,
    5 % of the superclasses). Version 2, whose fine classes differed by hue,
    failed this."""
    settings = EmbeddedCIFAR100Settings(20, 10, 0, 0.2)

    def features(split):
        content = generate_split(settings, split)
        pixels = content['data'].reshape(-1, 3, 1024).astype(float)
        return (np.concatenate([pixels.mean(2), pixels.std(2)], 1),
                np.array(content['fine_labels']))

    train, train_labels = features('train')
    test, test_labels = features('test')
    means = np.stack([train[train_labels == c].mean(0) for c in range(100)])
    scale = train.std(0)
    distances = (((test[:, None] - means[None]) / scale)**2).sum(-1)
    predicted = distances.argmin(1)
    assert (predicted == test_labels).mean() < 0.03
    assert (predicted // 5 == test_labels // 5).mean() < 0.1


def test_bad_arguments_fail_clearly():
    with pytest.raises(ValueError, match='train_per_class and '
                       'test_per_class must be >= 1'):
        EmbeddedCIFAR100Settings(0, 1, 0, 0.3)
    with pytest.raises(ValueError, match=r'fine_jitter must be in \[0, 1\]'):
        EmbeddedCIFAR100Settings(1, 1, 0, -0.1)
    with pytest.raises(ValueError, match=r'fine_label must be in \[0, 100\)'):
        render_image(100, np.random.default_rng(0), 0.3)
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        generate_split(TINY, 'val')


def test_up_to_date_output_is_not_regenerated(tmp_path):
    root = str(tmp_path / 'data')
    settings = EmbeddedCIFAR100Settings(1, 1, seed=3, fine_jitter=0.3)
    assert write_embedded_cifar100(root, settings)['skipped'] is False
    train = osp.join(root, 'cifar-100-python', 'train')
    stamp = os.stat(train).st_mtime_ns
    assert write_embedded_cifar100(root, settings)['skipped'] is True
    assert os.stat(train).st_mtime_ns == stamp
    # Other settings (or --overwrite) regenerate.
    changed = EmbeddedCIFAR100Settings(1, 1, seed=4, fine_jitter=0.3)
    assert write_embedded_cifar100(root, changed)['skipped'] is False
    assert write_embedded_cifar100(
        root, changed, overwrite=True)['skipped'] is False
    # A missing data file is regenerated even if generator.json matches.
    os.remove(train)
    assert write_embedded_cifar100(root, changed)['skipped'] is False
    assert osp.isfile(train)


def _run_cli(args, capsys):
    argv = sys.argv
    sys.argv = [CLI] + args
    try:
        runpy.run_path(CLI, run_name='__main__')
    finally:
        sys.argv = argv
    return capsys.readouterr().out


def test_cli_writes_files_grid_and_skips_when_up_to_date(tmp_path, capsys):
    out = str(tmp_path / 'embedded')
    grid = str(tmp_path / 'docs' / 'grid.png')
    args = ['--out', out, '--train-per-class', '2', '--test-per-class', '1',
            '--seed', '5', '--fine-jitter', '0.3']
    printed = _run_cli(args + ['--grid', grid], capsys)
    assert 'Wrote 200 train / 100 test images' in printed
    assert osp.join(out, 'cifar-100-python', 'train') in printed
    assert f'Wrote the sample grid {grid}' in printed
    image = cv2.imread(grid)
    assert image is not None and image.shape[0] > 20 * 64
    assert len(LocalCIFAR100(data_root=out, split='test')) == 100

    printed = _run_cli(args, capsys)
    assert 'Up to date, not regenerated' in printed
    assert 'generator.json' in printed


def test_sample_grid_layout():
    grid = render_sample_grid(TINY, samples_per_class=1, zoom=1)
    assert grid.dtype == np.uint8 and grid.ndim == 3
    assert grid.shape[0] == 18 + 20 * (32 + 2)
