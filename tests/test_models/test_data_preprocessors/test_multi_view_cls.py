"""MultiViewClsDataPreprocessor building the training views on the device:
normalised views, keyed by (seed, epoch, sample index, view), the same for
any number of data-loader workers, and clear errors for mixed set-ups."""
import uuid

import pytest
import torch
from mmengine.dataset import DefaultSampler, pseudo_collate
from mmengine.logging import MessageHub
from mmengine.registry import init_default_scope
from mmpretrain.structures import DataSample
from torch.utils.data import DataLoader

from mmlogitkd.models.data_preprocessors import (BatchRandAugmentFixMatch,
                                                 KeyedRandom,
                                                 MultiViewClsDataPreprocessor)
from mmlogitkd.models.data_preprocessors.multi_view_cls import SEED_INFO_KEY
from mmlogitkd.registry import DATASETS

MEAN, STD = [129.3105, 124.1085, 112.404], [68.2125, 65.4075, 70.4055]
WEAK = [dict(type='BatchRandomCrop', size=32, padding=4),
        dict(type='BatchRandomFlip', prob=0.5)]
STRONG = WEAK + [dict(type='BatchRandAugmentFixMatch')]


@pytest.fixture
def hub():
    name = f'test-preprocessor-{uuid.uuid4()}'
    hub = MessageHub.get_instance(name)
    hub.update_info(SEED_INFO_KEY, 7)
    hub.update_info('epoch', 2)
    yield hub
    MessageHub._instance_dict.pop(name, None)


def _batch(indices):
    generator = torch.Generator().manual_seed(0)
    inputs = [torch.randint(0, 256, (3, 32, 32), dtype=torch.uint8,
                            generator=generator) for _ in indices]
    samples = [DataSample(metainfo=dict(sample_idx=i)).set_gt_label(i % 100)
               for i in indices]
    return dict(inputs=inputs, data_samples=samples)


def _preprocessor(views):
    return MultiViewClsDataPreprocessor(mean=MEAN, std=STD, to_rgb=False,
                                        num_classes=100, train_views=views)


def test_views_are_the_keyed_transforms_then_normalised(hub):
    data = _batch(range(20, 28))
    out = _preprocessor([WEAK, STRONG])(data, training=True)
    weak, strong = out['inputs']
    raw = torch.stack(data['inputs']).float()
    mean, std = torch.tensor(MEAN)[:, None, None], torch.tensor(STD)[:, None,
                                                                    None]
    from mmlogitkd.registry import BATCH_TRANSFORMS
    for view, transforms, got in ((0, WEAK, weak), (1, STRONG, strong)):
        rng = KeyedRandom(7, 2, range(20, 28), view)
        expected = raw
        for cfg in transforms:
            expected = BATCH_TRANSFORMS.build(cfg)(expected, rng)
        torch.testing.assert_close(got, (expected - mean) / std)
    assert not torch.equal(weak, strong)
    assert [s.gt_label.item() for s in out['data_samples']] == \
        [i % 100 for i in range(20, 28)]
    # the next epoch draws other augmentations
    hub.update_info('epoch', 3)
    later = _preprocessor([WEAK, STRONG])(_batch(range(20, 28)), True)
    assert not torch.equal(later['inputs'][0], weak)


def test_one_view_is_a_tensor_and_validation_is_untouched(hub):
    preprocessor = _preprocessor([WEAK])
    data = _batch(range(4))
    train = preprocessor(data, training=True)['inputs']
    assert isinstance(train, torch.Tensor) and train.shape == (4, 3, 32, 32)
    val = preprocessor(_batch(range(4)), training=False)['inputs']
    raw = torch.stack(_batch(range(4))['inputs']).float()
    torch.testing.assert_close(
        val, (raw - torch.tensor(MEAN)[:, None, None]) /
        torch.tensor(STD)[:, None, None])


def test_mixed_set_ups_are_refused(hub):
    preprocessor = _preprocessor([WEAK, STRONG])
    data = _batch(range(2))
    two_views = dict(inputs=[list(data['inputs']), list(data['inputs'])],
                     data_samples=data['data_samples'])
    with pytest.raises(ValueError, match='already gives several views'):
        preprocessor(two_views, training=True)
    no_index = dict(inputs=data['inputs'],
                    data_samples=[DataSample().set_gt_label(0)] * 2)
    with pytest.raises(ValueError, match='sample_idx'):
        preprocessor(no_index, training=True)
    with pytest.raises(ValueError, match='train_views must be a non-empty'):
        _preprocessor([])


@pytest.mark.parametrize('workers', [1, 2])
def test_batches_do_not_depend_on_the_number_of_workers(hub, tiny_cifar_root,
                                                        workers):
    init_default_scope('mmlogitkd')
    dataset = DATASETS.build(dict(type='LocalCIFAR100',
                                  data_root=tiny_cifar_root, split='train',
                                  pipeline=[dict(type='PackInputs')]))
    preprocessor = _preprocessor([WEAK, STRONG])

    def batches(num_workers):
        sampler = DefaultSampler(dataset, shuffle=True, seed=3)
        loader = DataLoader(dataset, batch_size=16, sampler=sampler,
                            num_workers=num_workers,
                            collate_fn=pseudo_collate)
        return [preprocessor(batch, training=True)['inputs']
                for batch, _ in zip(loader, range(3))]

    for reference, other in zip(batches(0), batches(workers)):
        for a, b in zip(reference, other):
            assert torch.equal(a, b)


def test_strong_transform_repr_lists_its_arguments():
    assert repr(BatchRandAugmentFixMatch()) == (
        "BatchRandAugmentFixMatch(num_ops=2, channel_order='rgb', "
        'cutout_max_ratio=0.5, cutout_fill=(125, 123, 114), '
        'faithful_cutout_center=True)')
