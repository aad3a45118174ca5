"""The two-view dataset bases (docs/recipes.md#strong-view): both views
present and packed as a list, independent randomness per view, strong ops
applied,
deterministic under a seed, and batches that MultiViewClsDataPreprocessor
stacks per view. Also the ImageNet bases on a real image file."""
import os.path as osp
import random

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

from conftest import dataset_base
from mmlogitkd.datasets.generators.embedded_cifar100 import (
    EmbeddedCIFAR100Settings, write_embedded_cifar100)
from mmlogitkd.registry import DATASETS, MODELS, TRANSFORMS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BASES = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets')
FILL_RGB = (125, 123, 114)


@pytest.fixture(scope='module', autouse=True)
def scope():
    init_default_scope('mmlogitkd')


@pytest.fixture(scope='module')
def cifar_cfg(tmp_path_factory):
    """The CIFAR two-view base with the per-image (worker) augmentation,
    ``augment_on_device = False``."""
    return dataset_base('cifar100_two_view_bs64.py', False,
                        str(tmp_path_factory.mktemp('bases')))


@pytest.fixture(scope='module')
def two_view_dataset(cifar_cfg, tmp_path_factory):
    root = str(tmp_path_factory.mktemp('two_view'))
    write_embedded_cifar100(root, EmbeddedCIFAR100Settings(1, 1, 0, 0.3))
    dataset_cfg = cifar_cfg.train_dataloader.dataset.copy()
    dataset_cfg.data_root = root
    return DATASETS.build(dataset_cfg)


def _has_fill(view: torch.Tensor, fill) -> bool:
    pixels = view.permute(1, 2, 0).numpy()
    return bool(np.all(pixels == np.array(fill, np.uint8), axis=2).any())


def _sample(dataset, index, seed):
    random.seed(seed)
    np.random.seed(seed)
    return dataset[index]


def test_cifar_base_only_replaces_the_train_pipeline(cifar_cfg):
    single = dataset_base('cifar100_bs64.py', False, osp.dirname(
        cifar_cfg.filename))
    assert cifar_cfg.val_dataloader == single.val_dataloader
    assert cifar_cfg.data_preprocessor == single.data_preprocessor
    assert cifar_cfg.train_dataloader.dataset.type == 'LocalCIFAR100'
    multi_view, pack = cifar_cfg.train_dataloader.dataset.pipeline
    assert multi_view.type == 'MultiView' and pack.type == 'PackInputs'
    assert multi_view.num_views == [1, 1]
    weak, strong = multi_view.transforms
    assert weak == single.train_pipeline[:-1]  # crop + flip, no packing
    assert strong[:-1] == weak
    assert strong[-1] == dict(
        type='RandAugmentFixMatch', num_ops=2, channel_order='rgb',
        cutout_max_ratio=0.5, cutout_fill=(125, 123, 114),
        faithful_cutout_center=True)


def test_both_views_packed_as_a_list(two_view_dataset):
    sample = _sample(two_view_dataset, 0, seed=0)
    views = sample['inputs']
    assert isinstance(views, list) and len(views) == 2
    for view in views:
        assert view.dtype == torch.uint8 and tuple(view.shape) == (3, 32, 32)
    label = two_view_dataset.get_data_info(0)['gt_label']
    assert sample['data_samples'].gt_label.tolist() == [label]


def test_strong_view_is_augmented_and_weak_is_not(two_view_dataset):
    for index in range(20):
        weak, strong = _sample(two_view_dataset, index, seed=index)['inputs']
        assert not torch.equal(weak, strong)
        # Cutout is always the last op of the strong view and never in the
        # weak one.
        assert _has_fill(strong, FILL_RGB)
        assert not _has_fill(weak, FILL_RGB)


def test_views_draw_independent_crops_and_flips(cifar_cfg):
    # Two copies of the *weak* pipeline: identical transforms, so any
    # difference comes from independent random draws per view.
    weak = cifar_cfg.train_dataloader.dataset.pipeline[0].transforms[0]
    multi_view = TRANSFORMS.build(
        dict(type='MultiView', num_views=2, transforms=[weak]))
    image = np.random.RandomState(0).randint(0, 256, (32, 32, 3)).astype(
        np.uint8)
    random.seed(0)
    np.random.seed(0)
    differ = 0
    for _ in range(10):
        first, second = multi_view(dict(img=image.copy()))['img']
        differ += not np.array_equal(first, second)
    assert differ >= 8


def test_deterministic_under_seed(two_view_dataset):
    first = _sample(two_view_dataset, 3, seed=42)['inputs']
    again = _sample(two_view_dataset, 3, seed=42)['inputs']
    other = _sample(two_view_dataset, 3, seed=43)['inputs']
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert not torch.equal(first[1], other[1])


def test_preprocessor_stacks_one_batch_per_view(cifar_cfg, two_view_dataset):
    preprocessor = MODELS.build(cifar_cfg.data_preprocessor)
    samples = [_sample(two_view_dataset, i, seed=i) for i in range(4)]
    batch = preprocessor(pseudo_collate(samples), training=True)
    views = batch['inputs']
    assert isinstance(views, list) and len(views) == 2
    mean = torch.tensor(cifar_cfg.data_preprocessor.mean).view(3, 1, 1)
    std = torch.tensor(cifar_cfg.data_preprocessor.std).view(3, 1, 1)
    for view_index, view in enumerate(views):
        assert tuple(view.shape) == (4, 3, 32, 32)
        assert view.dtype == torch.float32
        # Normalised with the configured constants, channels unchanged
        # (to_rgb=False).
        raw = samples[1]['inputs'][view_index].float()
        assert torch.allclose(view[1], (raw - mean) / std, atol=1e-5)
    assert len(batch['data_samples']) == 4


@pytest.fixture(scope='module')
def imagenet_file(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('imagenet') / 'image.png')
    rng = np.random.RandomState(1)
    image = rng.randint(0, 256, (90, 120, 3)).astype(np.uint8)
    cv2.imwrite(path, image)
    return path


def _run_pipeline(pipeline_cfg, path):
    from mmcv.transforms import Compose
    pipeline = Compose([TRANSFORMS.build(t) for t in pipeline_cfg])
    return pipeline(dict(img_path=path, gt_label=3))


def test_imagenet_single_view_base(imagenet_file):
    cfg = Config.fromfile(osp.join(BASES, 'imagenet_bs64.py'))
    assert cfg.train_dataloader.batch_size == 64
    assert cfg.train_dataloader.dataset.type == 'ImageNet'
    assert cfg.data_preprocessor.to_rgb is True
    assert cfg.data_preprocessor.type == 'MultiViewClsDataPreprocessor'
    random.seed(0)
    np.random.seed(0)
    train = _run_pipeline(cfg.train_pipeline, imagenet_file)['inputs']
    assert tuple(train.shape) == (3, 224, 224)
    test = _run_pipeline(cfg.test_pipeline, imagenet_file)['inputs']
    assert tuple(test.shape) == (3, 224, 224)


def test_imagenet_two_view_base(imagenet_file):
    cfg = Config.fromfile(osp.join(BASES, 'imagenet_two_view_bs64.py'))
    pipeline = cfg.train_dataloader.dataset.pipeline
    assert [t.type for t in pipeline] == [
        'LoadImageFromFile', 'MultiView', 'PackInputs'
    ]
    weak, strong = pipeline[1].transforms
    assert strong[:-1] == weak and strong[-1].channel_order == 'bgr'
    for seed in range(3):
        random.seed(seed)
        np.random.seed(seed)
        views = _run_pipeline(pipeline, imagenet_file)['inputs']
        assert len(views) == 2
        assert all(tuple(v.shape) == (3, 224, 224) for v in views)
        # Images are BGR: Cutout's RGB colour appears reversed.
        assert _has_fill(views[1], FILL_RGB[::-1])
        assert not _has_fill(views[0], FILL_RGB[::-1])
