"""The batched augmentations on the training device: each RandAugment op
gives exactly the pixels of the PIL op it replaces, the random choices have
the distributions of the per-image transforms, and every draw is keyed by
(seed, epoch, sample index, view)."""
import random
import zlib
from collections import Counter
from unittest import mock

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from PIL import Image

from mmlogitkd.datasets.transforms.rand_augment_fixmatch import (
    FIXMATCH_OPS, RandAugmentFixMatch, cutout)
from mmlogitkd.models.data_preprocessors import (BATCH_OPS,
                                                 BatchRandAugmentFixMatch,
                                                 BatchRandomCrop,
                                                 BatchRandomFlip, KeyedRandom)
from mmlogitkd.models.data_preprocessors.batch_augment import (apply_op,
                                                               cutout_boxes)
from mmlogitkd.registry import TRANSFORMS


def _images(seed):
    """Random, low-contrast and blocky 32x32 RGB images (uint8 HWC)."""
    rng = np.random.RandomState(seed)
    noise = rng.randint(0, 256, (32, 32, 3))
    yield noise.astype(np.uint8)
    yield (noise // 3 + 40).astype(np.uint8)
    yield np.repeat(np.repeat(rng.randint(0, 256, (8, 8, 3)), 4, 0), 4,
                    1).astype(np.uint8)


def _to_batch(image):
    return torch.from_numpy(image).permute(2, 0, 1)[None].double()


@pytest.mark.parametrize('op', FIXMATCH_OPS, ids=lambda op: op.name)
def test_every_op_gives_the_pixels_of_pil(op):
    # crc32, not hash(): str hashes change from process to process
    rng = np.random.RandomState(zlib.crc32(op.name.encode()))
    assert [o.name for o in BATCH_OPS] == [o.name for o in FIXMATCH_OPS]
    batch_op = BATCH_OPS[[o.name for o in FIXMATCH_OPS].index(op.name)]
    assert (batch_op.low, batch_op.high) == (op.low, op.high)
    for seed in range(12):
        for image in _images(seed):
            magnitude = op.low + (op.high - op.low) * rng.rand()
            expected = np.array(op.fn(Image.fromarray(image), magnitude))
            got = apply_op(op.name, _to_batch(image),
                           torch.tensor([magnitude]))[0]
            np.testing.assert_array_equal(
                got.permute(1, 2, 0).numpy(), expected,
                err_msg=f'{op.name} at {magnitude}')


def test_blend_rounds_like_pillow_for_every_pixel_pair():
    """Every (degenerate, image) grey-level pair at many factors, in and out
    of [0, 1]: Pillow blends in single precision, and a float64 blend is one
    level off for about one image in a thousand (CI caught it on Contrast)."""
    from mmlogitkd.models.data_preprocessors.batch_augment import _blend
    levels = np.arange(256, dtype=np.uint8)
    low, high = np.meshgrid(levels, levels, indexing='ij')
    low_image, high_image = Image.fromarray(low), Image.fromarray(high)
    rng = np.random.RandomState(7)
    factors = np.concatenate([rng.rand(40), [0.5054944401243284],
                              1 + rng.rand(8), -rng.rand(4)])
    got = _blend(
        torch.from_numpy(low).double().expand(len(factors), 1, 256, 256),
        torch.from_numpy(high).double().expand(len(factors), 1, 256, 256),
        torch.from_numpy(factors))
    for factor, plane in zip(factors, got):
        expected = np.array(Image.blend(low_image, high_image, factor))
        np.testing.assert_array_equal(plane[0].numpy(), expected,
                                      err_msg=f'factor {factor}')


def test_cutout_box_is_the_per_image_box():
    rng = np.random.RandomState(3)
    transform = BatchRandAugmentFixMatch(num_ops=0)
    for _ in range(100):
        image = rng.randint(0, 256, (32, 32, 3)).astype(np.uint8)
        ratio, centre = rng.rand() * 0.5, rng.rand(2)
        # the per-image code draws the centre as np.random.uniform(w)
        draws = iter([32 + (1 - 32) * centre[0], 32 + (1 - 32) * centre[1]])
        with mock.patch('numpy.random.uniform', lambda *a: next(draws)):
            expected = np.array(cutout(Image.fromarray(image), ratio,
                                       (125, 123, 114), True))
        got = transform._cutout(
            _to_batch(image),
            dict(side_ratio=torch.tensor([ratio], dtype=torch.float64),
                 centre=torch.tensor(centre)[None]))
        np.testing.assert_array_equal(got[0].permute(1, 2, 0).numpy(),
                                      expected)
    empty = cutout_boxes(torch.zeros(1, dtype=torch.float64),
                         torch.full((1, 2), 0.5), 32, 32, True)[0]
    assert empty[2] < empty[0]  # side 0: no box


# ------------------------------------------------------- distributions ---
N = 4000


def _per_image_crops(count):
    """Offsets drawn by MMPretrain's RandomCrop: pixel values encode the
    position, so the first output pixel tells the offset."""
    init_default_scope('mmlogitkd')
    crop = TRANSFORMS.build(dict(type='RandomCrop', crop_size=32, padding=4))
    ys, xs = np.meshgrid(np.arange(32), np.arange(32), indexing='ij')
    image = np.stack([ys + 1, xs + 1, np.zeros_like(ys)], 2).astype(np.uint8)
    np.random.seed(0)
    offsets = []
    for _ in range(count):
        out = crop(dict(img=image.copy()))['img']
        first = np.argwhere(out[..., 0] > 0)[0]  # first non-padding pixel
        y0 = out[first[0], first[1], 0] - 1 - first[0] + 4
        x0 = out[first[0], first[1], 1] - 1 - first[1] + 4
        offsets.append((int(y0), int(x0)))
    return offsets


def _total_variation(a: Counter, b: Counter) -> float:
    na, nb = sum(a.values()), sum(b.values())
    return 0.5 * sum(abs(a[k] / na - b[k] / nb) for k in set(a) | set(b))


def test_crop_offsets_and_flips_match_the_per_image_transforms():
    rng = KeyedRandom(0, 0, range(N), 0)
    images = torch.zeros(N, 3, 32, 32)
    dy, dx = BatchRandomCrop(32, 4).offsets(images, rng)
    batched = Counter(zip(dy.tolist(), dx.tolist()))
    per_image = Counter(_per_image_crops(N))
    assert set(batched) == set(per_image) == {
        (y, x) for y in range(9) for x in range(9)}
    # 81 cells, 4000 draws each: sampling noise alone gives TV ~ 0.05
    assert _total_variation(batched, per_image) < 0.12
    flips = BatchRandomFlip(0.5).flags(rng).float().mean().item()
    assert abs(flips - 0.5) < 3 * (0.25 / N)**0.5


def test_op_frequencies_and_magnitudes_match_the_per_image_transform():
    transform = BatchRandAugmentFixMatch(num_ops=2)
    draws = transform.draws(KeyedRandom(1, 2, range(N), 1))
    batched = Counter(BATCH_OPS[i].name for i in draws['ops'].flatten())
    random.seed(0)
    per_image = Counter(op.name for _ in range(N)
                        for op in random.choices(FIXMATCH_OPS, k=2))
    assert _total_variation(batched, per_image) < 0.06
    for index, op in enumerate(BATCH_OPS):
        chosen = draws['magnitudes'][draws['ops'] == index]
        assert chosen.min() >= op.low and chosen.max() < op.high
        middle = (op.low + op.high) / 2
        spread = (op.high - op.low) / 12**0.5 / len(chosen)**0.5
        assert abs(chosen.mean().item() - middle) < 4 * spread, op.name
    side = draws['side_ratio']
    assert side.min() >= 0 and side.max() < 0.5
    assert abs(side.mean().item() - 0.25) < 4 * 0.5 / 12**0.5 / N**0.5


def test_strong_view_always_has_cutout_and_matches_per_image_fill_rate():
    rng = np.random.RandomState(0)
    images = [rng.randint(0, 256, (32, 32, 3)).astype(np.uint8)
              for _ in range(200)]
    fill = torch.tensor([125, 123, 114], dtype=torch.float64)
    batch = torch.stack([torch.from_numpy(i).permute(2, 0, 1)
                         for i in images]).double()
    out = BatchRandAugmentFixMatch()(batch, KeyedRandom(0, 0, range(200), 1))
    batched_fill = (out.permute(0, 2, 3, 1) == fill).all(-1).float().mean()
    random.seed(0)
    np.random.seed(0)
    per_image = RandAugmentFixMatch()
    filled = [(per_image.transform(dict(img=i.copy()))['img'] ==
               np.array([125, 123, 114])).all(-1).mean() for i in images]
    # the box covers U[0, 0.5)^2 of the area on average (about 8 %)
    assert abs(batched_fill.item() - np.mean(filled)) < 0.02


# ------------------------------------------------------------- keying ---
def test_draws_depend_only_on_the_sample_key():
    batch = torch.randint(0, 256, (6, 3, 32, 32)).double()
    transform = BatchRandAugmentFixMatch()
    together = transform(batch, KeyedRandom(5, 3, [10, 11, 12, 13, 14, 15],
                                            1))
    # the same samples in another order and in another batch split
    order = [3, 0, 5, 1, 4, 2]
    shuffled = transform(batch[order],
                         KeyedRandom(5, 3, [10 + i for i in order], 1))
    assert torch.equal(shuffled, together[order])
    alone = transform(batch[2:3], KeyedRandom(5, 3, [12], 1))
    assert torch.equal(alone[0], together[2])
    for other in (KeyedRandom(6, 3, range(10, 16), 1),
                  KeyedRandom(5, 4, range(10, 16), 1),
                  KeyedRandom(5, 3, range(10, 16), 0)):
        assert not torch.equal(transform(batch, other), together)


def test_keyed_streams_are_uniform_and_independent():
    rng = KeyedRandom(0, 0, range(20000), 0)
    a, b = rng.uniform('a')[:, 0], rng.uniform('b')[:, 0]
    assert 0 <= a.min() and a.max() < 1
    assert abs(a.mean().item() - 0.5) < 0.01
    assert abs(np.corrcoef(a.numpy(), b.numpy())[0, 1]) < 0.03
    counts = torch.bincount(rng.integers('c', 14)[:, 0], minlength=14)
    assert counts.min() > 20000 / 14 * 0.9


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match='BatchRandomCrop expects a float '
                       r'\[B, 3, H, W\]'):
        BatchRandomCrop()(torch.zeros(2, 32, 32), KeyedRandom(0, 0, [0, 1],
                                                              0))
    with pytest.raises(ValueError, match='does not fit'):
        BatchRandomCrop(size=48, padding=4)(
            torch.zeros(1, 3, 32, 32), KeyedRandom(0, 0, [0], 0))
    with pytest.raises(ValueError, match='channel_order'):
        BatchRandAugmentFixMatch(channel_order='hsv')
