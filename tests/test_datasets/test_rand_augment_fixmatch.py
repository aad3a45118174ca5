"""RandAugmentFixMatch (docs/recipes.md#strong-view): each op on hand-made
images, the
op table, Cutout (fill, inclusive box, centre quirk), the order of random
draws, channel order, seeding."""
import random

import numpy as np
import pytest
from mmengine.dataset import worker_init_fn
from PIL import Image, ImageDraw, ImageEnhance, ImageOps

from mmlogitkd.datasets.transforms import (FIXMATCH_OPS, RandAugmentFixMatch,
                                           cutout)

OPS = {op.name: op for op in FIXMATCH_OPS}
FILL = (125, 123, 114)


def _apply(name, array, v):
    return np.array(OPS[name].fn(Image.fromarray(array), v))


def _gray(values, size=None):
    """A 1-row (or size×size) RGB image with equal channels."""
    row = np.array(values, np.uint8)
    image = np.repeat(row[None, :, None], 3, axis=2)
    return image if size is None else np.tile(image, (size, 1, 1))


def _marker_image(size=8, row=0, col=4):
    image = np.zeros((size, size, 3), np.uint8)
    image[row, col] = 255
    return image


def test_op_table_matches_methods():
    assert [(op.name, op.low, op.high) for op in FIXMATCH_OPS] == [
        ('AutoContrast', 0, 1), ('Brightness', 0.05, 0.95),
        ('Color', 0.05, 0.95), ('Contrast', 0.05, 0.95),
        ('Equalize', 0, 1), ('Identity', 0, 1), ('Posterize', 4, 8),
        ('Rotate', -30, 30), ('Sharpness', 0.05, 0.95),
        ('ShearX', -0.3, 0.3), ('ShearY', -0.3, 0.3),
        ('Solarize', 0, 256), ('TranslateX', -0.3, 0.3),
        ('TranslateY', -0.3, 0.3)
    ]


def test_solarize_inverts_pixels_at_or_above_threshold():
    image = _gray([0, 100, 127, 128, 200, 255])
    assert _apply('Solarize', image, 128)[0, :, 0].tolist() == [
        0, 100, 127, 127, 55, 0
    ]
    # Float threshold: 127.5 inverts 128 but not 127.
    assert _apply('Solarize', image, 127.5)[0, :, 0].tolist() == [
        0, 100, 127, 127, 55, 0
    ]
    assert _apply('Solarize', image, 256)[0, :, 0].tolist() == [
        0, 100, 127, 128, 200, 255
    ]


def test_posterize_truncates_magnitude_to_bits():
    image = _gray([183, 255, 7])  # 183 = 0b10110111
    assert _apply('Posterize', image, 4.99)[0, :, 0].tolist() == [
        0b10110000, 0b11110000, 0
    ]
    assert _apply('Posterize', image, 7.99)[0, :, 0].tolist() == [
        0b10110110, 0b11111110, 6
    ]


def test_rotate_is_counter_clockwise_nearest_black_fill():
    image = _marker_image(size=5, row=0, col=4)  # top-right corner
    out = _apply('Rotate', image, 90)
    assert out[0, 0].tolist() == [255, 255, 255]  # now top-left
    assert out.sum() == 3 * 255
    out = _apply('Rotate', image, -90)
    assert out[4, 4].tolist() == [255, 255, 255]  # clockwise: bottom-right
    # Corners of a 30° rotation are filled with black.
    white = np.full((8, 8, 3), 255, np.uint8)
    assert _apply('Rotate', white, 30)[0, 0].tolist() == [0, 0, 0]


def test_translate_shifts_by_fraction_of_size():
    image = _marker_image(size=8, row=2, col=5)
    # Output pixel x reads input x + v * width: content moves left by 2.
    out = _apply('TranslateX', image, 0.25)
    assert np.argwhere(out[..., 0]).tolist() == [[2, 3]]
    out = _apply('TranslateX', image, -0.25)
    assert np.argwhere(out[..., 0]).tolist() == [[2, 7]]
    out = _apply('TranslateY', image, 0.25)
    assert np.argwhere(out[..., 0]).tolist() == [[0, 5]]
    # Vacated pixels are black.
    white = np.full((8, 8, 3), 255, np.uint8)
    out = _apply('TranslateX', white, 0.25)
    assert out[:, 6:].max() == 0 and out[:, :6].min() == 255


def test_shear_x_and_y_use_pil_output_to_input_mapping():
    # Output (x, y) samples input (x + v·y, y) at pixel centres, nearest.
    image = np.zeros((8, 8, 3), np.uint8)
    image[:, 4] = 255  # a vertical line at x = 4
    out = _apply('ShearX', image, 0.25)
    columns = [np.flatnonzero(out[y, :, 0]).tolist() for y in (0, 4, 7)]
    assert columns == [[4], [3], [2]]
    image = np.zeros((8, 8, 3), np.uint8)
    image[4, :] = 255  # a horizontal line at y = 4
    out = _apply('ShearY', image, 0.25)
    rows = [np.flatnonzero(out[:, x, 0]).tolist() for x in (0, 4, 7)]
    assert rows == [[4], [3], [2]]


def test_brightness_color_contrast_blend_towards_degenerate_image():
    assert _apply('Brightness', _gray([200, 100]), 0.5)[0, :, 0].tolist() \
        == [100, 50]
    # Contrast blends with the mean grey: mean of [0, 200] is 100.
    assert _apply('Contrast', _gray([0, 200]), 0.5)[0, :, 0].tolist() == [
        50, 150
    ]
    # Color blends with the greyscale image: grey pixels stay, red fades.
    image = np.array([[[255, 0, 0], [90, 90, 90]]], np.uint8)
    out = _apply('Color', image, 0.05)
    assert out[0, 1].tolist() == [90, 90, 90]
    assert np.ptp(out[0, 0].astype(int)) < 0.1 * 255


def test_sharpness_below_one_blurs():
    image = np.zeros((5, 5, 3), np.uint8)
    image[2, 2] = 255
    out = _apply('Sharpness', image, 0.05)
    assert out[2, 2, 0] < 255 and out[2, 1, 0] > 0


def test_autocontrast_equalize_identity():
    image = _gray([50, 100, 150])
    assert _apply('AutoContrast', image, 0.3)[0, :, 0].tolist() == [
        0, 127, 255
    ]
    image = np.zeros((32, 32, 3), np.uint8)
    image[:16] = 10
    image[16:] = 20
    out = _apply('Equalize', image, 0.7)
    assert out[0, 0, 0] == 0 and out[31, 0, 0] >= 128
    image = _gray([1, 2, 3])
    assert np.array_equal(_apply('Identity', image, 0.5), image)


def _expected_box(width, height, side, x_center, y_center):
    """Pixels a PIL rectangle (x0, y0, x1, y1) fills: inclusive corners,
    float corners truncated, clipped to the image."""
    x0 = int(max(0, x_center - side / 2))
    y0 = int(max(0, y_center - side / 2))
    x1 = min(width, x0 + side)
    y1 = min(height, y0 + side)
    return x0, y0, min(width - 1, int(x1)), min(height - 1, int(y1))


@pytest.mark.parametrize('faithful', [True, False])
@pytest.mark.parametrize('seed', [0, 1, 7])
def test_cutout_box_fill_and_centre(seed, faithful):
    width = height = 32
    ratio = 0.3
    np.random.seed(seed)
    u_x, u_y = np.random.random_sample(), np.random.random_sample()
    if faithful:
        # np.random.uniform(w) means uniform(low=w, high=1): (1, w].
        x_center, y_center = width - (width - 1) * u_x, \
            height - (height - 1) * u_y
    else:
        x_center, y_center = width * u_x, height * u_y
    x0, y0, x1, y1 = _expected_box(width, height, ratio * width, x_center,
                                   y_center)

    np.random.seed(seed)
    image = Image.fromarray(np.zeros((height, width, 3), np.uint8))
    out = np.array(cutout(image, ratio, FILL, faithful_center=faithful))
    filled = np.all(out == FILL, axis=2)
    ys, xs = np.nonzero(filled)
    assert (xs.min(), ys.min(), xs.max(), ys.max()) == (x0, y0, x1, y1)
    assert filled.sum() == (x1 - x0 + 1) * (y1 - y0 + 1)
    assert out[~filled].max() == 0


def test_cutout_zero_side_is_noop_without_drawing():
    np.random.seed(5)
    state = np.random.get_state()[1].copy()
    image = Image.fromarray(np.zeros((8, 8, 3), np.uint8))
    assert cutout(image, 0.0, FILL, True) is image
    assert np.array_equal(np.random.get_state()[1], state)


# Independent statement of the reference (docs/recipes.md#strong-view): the
# PIL call of
# every op, by name.
REFERENCE_CALLS = {
    'AutoContrast': lambda img, v: ImageOps.autocontrast(img),
    'Brightness': lambda img, v: ImageEnhance.Brightness(img).enhance(v),
    'Color': lambda img, v: ImageEnhance.Color(img).enhance(v),
    'Contrast': lambda img, v: ImageEnhance.Contrast(img).enhance(v),
    'Equalize': lambda img, v: ImageOps.equalize(img),
    'Identity': lambda img, v: img,
    'Posterize': lambda img, v: ImageOps.posterize(img, max(1, int(v))),
    'Rotate': lambda img, v: img.rotate(v),
    'Sharpness': lambda img, v: ImageEnhance.Sharpness(img).enhance(v),
    'ShearX': lambda img, v: img.transform(img.size, Image.AFFINE,
                                           (1, v, 0, 0, 1, 0)),
    'ShearY': lambda img, v: img.transform(img.size, Image.AFFINE,
                                           (1, 0, 0, v, 1, 0)),
    'Solarize': lambda img, v: ImageOps.solarize(img, v),
    'TranslateX': lambda img, v: img.transform(
        img.size, Image.AFFINE, (1, 0, v * img.size[0], 0, 1, 0)),
    'TranslateY': lambda img, v: img.transform(
        img.size, Image.AFFINE, (1, 0, 0, 0, 1, v * img.size[1])),
}
RANGES = [('AutoContrast', 0, 1), ('Brightness', 0.05, 0.95),
          ('Color', 0.05, 0.95), ('Contrast', 0.05, 0.95),
          ('Equalize', 0, 1), ('Identity', 0, 1), ('Posterize', 4, 8),
          ('Rotate', -30, 30), ('Sharpness', 0.05, 0.95),
          ('ShearX', -0.3, 0.3), ('ShearY', -0.3, 0.3), ('Solarize', 0, 256),
          ('TranslateX', -0.3, 0.3), ('TranslateY', -0.3, 0.3)]


def _reference(array, seed):
    """The reference draw order: op indices (random.choices = floor of
    random() * 14, twice), one magnitude per op, the Cutout side, then the
    NumPy centre."""
    random.seed(seed)
    np.random.seed(seed)
    img = Image.fromarray(array)
    picks = [RANGES[int(random.random() * 14)] for _ in range(2)]
    for name, low, high in picks:
        img = REFERENCE_CALLS[name](img, low + (high - low) * random.random())
    side = random.random() * 0.5 * img.size[0]
    x_center = np.random.uniform(img.size[0])
    y_center = np.random.uniform(img.size[1])
    x0 = int(max(0, x_center - side / 2))
    y0 = int(max(0, y_center - side / 2))
    img = img.copy()
    ImageDraw.Draw(img).rectangle(
        (x0, y0, min(img.size[0], x0 + side), min(img.size[1], y0 + side)),
        FILL)
    return np.array(img), [name for name, _, _ in picks]


def _make(**kwargs):
    cfg = dict(num_ops=2, channel_order='rgb', cutout_max_ratio=0.5,
               cutout_fill=FILL, faithful_cutout_center=True)
    cfg.update(kwargs)
    return RandAugmentFixMatch(**cfg)


@pytest.fixture(scope='module')
def photo():
    rng = np.random.RandomState(0)
    image = rng.randint(0, 256, (32, 32, 3)).astype(np.uint8)
    image[8:24, 8:24] = (200, 40, 90)  # some structure for the ops
    return image


def test_matches_reference_draw_order_bit_for_bit(photo):
    transform = _make()
    seen = set()
    for seed in range(40):
        expected, names = _reference(photo, seed)
        seen.update(names)
        random.seed(seed)
        np.random.seed(seed)
        out = transform(dict(img=photo.copy()))['img']
        assert np.array_equal(out, expected), (seed, names)
    assert len(seen) >= 12  # the seeds exercised almost every op


def test_strong_ops_are_applied(photo, monkeypatch):
    calls = []
    original = random.choices

    def spy(population, k):
        picked = original(population, k=k)
        calls.append([op.name for op in picked])
        return picked

    monkeypatch.setattr(random, 'choices', spy)
    random.seed(0)
    np.random.seed(0)
    out = _make()(dict(img=photo.copy()))['img']
    assert len(calls) == 1 and len(calls[0]) == 2
    assert not np.array_equal(out, photo)
    assert np.all(out == FILL, axis=2).any()  # Cutout always applied


def test_bgr_input_is_augmented_in_rgb(photo):
    transform_rgb = _make(channel_order='rgb')
    transform_bgr = _make(channel_order='bgr')
    for seed in range(10):
        random.seed(seed)
        np.random.seed(seed)
        rgb = transform_rgb(dict(img=photo.copy()))['img']
        random.seed(seed)
        np.random.seed(seed)
        bgr = transform_bgr(dict(img=photo[..., ::-1].copy()))['img']
        assert np.array_equal(bgr, rgb[..., ::-1])
    # The Cutout colour lands as (B, G, R) = (114, 123, 125) in BGR images.
    random.seed(1)
    np.random.seed(1)
    out = _make(channel_order='bgr', num_ops=0)(dict(
        img=np.zeros((32, 32, 3), np.uint8)))['img']
    assert np.all(out == FILL[::-1], axis=2).any()
    assert not np.all(out == FILL, axis=2).any()
    assert out.flags.writeable and out.flags.c_contiguous


def test_deterministic_under_seed(photo):
    transform = _make()

    def run(seed):
        random.seed(seed)
        np.random.seed(seed)
        return transform(dict(img=photo.copy()))['img']

    assert np.array_equal(run(11), run(11))
    assert not np.array_equal(run(11), run(12))


def test_mmengine_worker_init_fn_seeds_both_sources(photo):
    transform = _make()

    def in_worker(worker_id):
        worker_init_fn(worker_id, num_workers=2, rank=0, seed=123)
        return transform(dict(img=photo.copy()))['img']

    assert np.array_equal(in_worker(0), in_worker(0))
    assert not np.array_equal(in_worker(0), in_worker(1))


def test_built_from_registry():
    from mmpretrain.registry import TRANSFORMS
    transform = TRANSFORMS.build(
        dict(type='RandAugmentFixMatch', num_ops=2, channel_order='bgr',
             cutout_max_ratio=0.5, cutout_fill=FILL,
             faithful_cutout_center=False))
    assert isinstance(transform, RandAugmentFixMatch)
    assert 'channel_order=\'bgr\'' in repr(transform)


@pytest.mark.parametrize('kwargs, message', [
    (dict(channel_order='rgba'), "channel_order must be 'rgb' or 'bgr'"),
    (dict(num_ops=-1), 'num_ops must be an int >= 0'),
    (dict(cutout_max_ratio=1.5), r'cutout_max_ratio must be in \[0, 1\]'),
    (dict(cutout_fill=(1, 2)), 'cutout_fill must be 3 values'),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        _make(**kwargs)


def test_bad_image():
    with pytest.raises(ValueError) as info:
        _make()(dict(img=np.zeros((32, 32), np.uint8)))
    assert ('expects results["img"] to be a uint8 H×W×3 array, got uint8 '
            'array of shape (32, 32)') in str(info.value)
