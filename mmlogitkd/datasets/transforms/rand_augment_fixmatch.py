"""FixMatch-style RandAugment with Cutout: the strong view of MLKD and CRLD.

This is the variant used by the MLKD code (Jin et al., "Multi-Level Logit
Distillation", CVPR 2023, repository ``Jin-Ying/Multi-Level-Logit-
Distillation``, ``mdistiller/dataset/cifar100.py``) and copied unchanged by
CRLD; it comes from FixMatch (Sohn et al., NeurIPS 2020). It is **not**
MMPretrain's ``RandAugment``: every op gets a fresh magnitude drawn uniformly
from its range, and Cutout is always applied afterwards. The details that
matter for a faithful port are in docs/recipes.md#strong-view of this project:

1. ``num_ops`` ops are drawn **with replacement** from the 14 ops of
   :data:`FIXMATCH_OPS` (Python ``random.choices``);
2. each gets the magnitude ``low + (high - low) * random.random()`` and is
   applied to a PIL image;
3. Cutout: side ``random.random() * cutout_max_ratio * width`` pixels, centre
   from NumPy. The original calls ``np.random.uniform(w)``, whose single
   argument is ``low`` (``high`` defaults to 1), so the centre falls in
   ``(1, w]``; the faithful mode keeps that quirk. The box is drawn by PIL's
   ``ImageDraw.rectangle``, whose corners are inclusive, filled with RGB
   (125, 123, 114).

Random sources: Python ``random`` (ops, magnitudes, Cutout side) and NumPy's
global generator (Cutout centre), in this order. MMEngine's
``worker_init_fn`` seeds both in every dataloader worker (seed + worker id +
rank offset), and the Runner seeds both in the main process, so a run with a
fixed ``randomness.seed`` is reproducible.
"""
import random
from typing import Callable, NamedTuple, Sequence, Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from PIL import Image, ImageDraw, ImageEnhance, ImageOps

from mmlogitkd.registry import register_to_mmpretrain


class FixMatchOp(NamedTuple):
    """One RandAugment op: ``fn(img, magnitude)`` and its range."""
    name: str
    fn: Callable[[Image.Image, float], Image.Image]
    low: float
    high: float


def _auto_contrast(img: Image.Image, _: float) -> Image.Image:
    return ImageOps.autocontrast(img)


def _brightness(img: Image.Image, v: float) -> Image.Image:
    return ImageEnhance.Brightness(img).enhance(v)


def _color(img: Image.Image, v: float) -> Image.Image:
    return ImageEnhance.Color(img).enhance(v)


def _contrast(img: Image.Image, v: float) -> Image.Image:
    return ImageEnhance.Contrast(img).enhance(v)


def _equalize(img: Image.Image, _: float) -> Image.Image:
    return ImageOps.equalize(img)


def _identity(img: Image.Image, _: float) -> Image.Image:
    return img


def _posterize(img: Image.Image, v: float) -> Image.Image:
    # Truncation: magnitudes in [4, 8) keep 4 to 7 bits.
    return ImageOps.posterize(img, max(1, int(v)))


def _rotate(img: Image.Image, v: float) -> Image.Image:
    # Degrees counter-clockwise; nearest neighbour, black corners.
    return img.rotate(v)


def _sharpness(img: Image.Image, v: float) -> Image.Image:
    return ImageEnhance.Sharpness(img).enhance(v)


# PIL's affine coefficients map output pixels to input pixels.
def _shear_x(img: Image.Image, v: float) -> Image.Image:
    return img.transform(img.size, Image.Transform.AFFINE, (1, v, 0, 0, 1, 0))


def _shear_y(img: Image.Image, v: float) -> Image.Image:
    return img.transform(img.size, Image.Transform.AFFINE, (1, 0, 0, v, 1, 0))


def _solarize(img: Image.Image, v: float) -> Image.Image:
    # Pixels >= v are inverted.
    return ImageOps.solarize(img, v)


def _translate_x(img: Image.Image, v: float) -> Image.Image:
    return img.transform(img.size, Image.Transform.AFFINE,
                         (1, 0, v * img.size[0], 0, 1, 0))


def _translate_y(img: Image.Image, v: float) -> Image.Image:
    return img.transform(img.size, Image.Transform.AFFINE,
                         (1, 0, 0, 0, 1, v * img.size[1]))


#: The 14 ops and magnitude ranges ``[low, high)`` in the original order (the
#: order matters: ``random.choices`` picks by index).
FIXMATCH_OPS: Tuple[FixMatchOp, ...] = (
    FixMatchOp('AutoContrast', _auto_contrast, 0.0, 1.0),
    FixMatchOp('Brightness', _brightness, 0.05, 0.95),
    FixMatchOp('Color', _color, 0.05, 0.95),
    FixMatchOp('Contrast', _contrast, 0.05, 0.95),
    FixMatchOp('Equalize', _equalize, 0.0, 1.0),
    FixMatchOp('Identity', _identity, 0.0, 1.0),
    FixMatchOp('Posterize', _posterize, 4.0, 8.0),
    FixMatchOp('Rotate', _rotate, -30.0, 30.0),
    FixMatchOp('Sharpness', _sharpness, 0.05, 0.95),
    FixMatchOp('ShearX', _shear_x, -0.3, 0.3),
    FixMatchOp('ShearY', _shear_y, -0.3, 0.3),
    FixMatchOp('Solarize', _solarize, 0.0, 256.0),
    FixMatchOp('TranslateX', _translate_x, -0.3, 0.3),
    FixMatchOp('TranslateY', _translate_y, -0.3, 0.3),
)


def cutout(img: Image.Image, side_ratio: float, fill: Sequence[int],
           faithful_center: bool) -> Image.Image:
    """Fill one square of side ``side_ratio * width`` pixels with ``fill``.

    Args:
        img (PIL.Image.Image): RGB image.
        side_ratio (float): Side as a fraction of the width; ``<= 0`` is a
            no-op and draws nothing from NumPy (as the original).
        fill (Sequence[int]): RGB fill colour.
        faithful_center (bool): Draw the centre as the original
            ``np.random.uniform(w)``, i.e. in ``(1, w]``; otherwise in
            ``[0, w)``.

    Returns:
        PIL.Image.Image: A copy with the box drawn; corners are inclusive
        (pixels ``x0..floor(x1)``, clipped to the image).
    """
    if side_ratio <= 0:
        return img
    width, height = img.size
    side = side_ratio * width
    if faithful_center:
        x_center = np.random.uniform(width)  # low=width, high=1: (1, width]
        y_center = np.random.uniform(height)
    else:
        x_center = np.random.uniform(0, width)
        y_center = np.random.uniform(0, height)
    x0 = int(max(0, x_center - side / 2.0))
    y0 = int(max(0, y_center - side / 2.0))
    x1 = min(width, x0 + side)
    y1 = min(height, y0 + side)
    img = img.copy()
    ImageDraw.Draw(img).rectangle((x0, y0, x1, y1), tuple(fill))
    return img


@register_to_mmpretrain('TRANSFORMS')
class RandAugmentFixMatch(BaseTransform):
    """FixMatch-style RandAugment followed by Cutout (always applied).

    Required keys: ``img`` (uint8 H×W×3). Modified keys: ``img``.

    Args:
        num_ops (int): Ops drawn with replacement per image (``n``; 2 in the
            MLKD/CRLD recipe). Defaults to 2.
        channel_order (str): Channel order of ``results['img']``: ``'rgb'``
            (MMPretrain's CIFAR datasets) or ``'bgr'`` (images from
            ``LoadImageFromFile``). The PIL ops and the Cutout colour work
            in RGB; the output keeps the input's order. Defaults to 'rgb'.
        cutout_max_ratio (float): Cutout side is ``U[0, cutout_max_ratio) *
            width``. Defaults to 0.5.
        cutout_fill (Sequence[int]): RGB Cutout colour. Defaults to
            (125, 123, 114).
        faithful_cutout_center (bool): Keep the original's Cutout centre
            quirk (centre in ``(1, w]``, see :func:`cutout`). Defaults to
            True.
    """

    def __init__(self,
                 num_ops: int = 2,
                 channel_order: str = 'rgb',
                 cutout_max_ratio: float = 0.5,
                 cutout_fill: Sequence[int] = (125, 123, 114),
                 faithful_cutout_center: bool = True) -> None:
        if not isinstance(num_ops, int) or num_ops < 0:
            raise ValueError(
                f'RandAugmentFixMatch: num_ops must be an int >= 0, got '
                f'{num_ops!r}')
        if channel_order not in ('rgb', 'bgr'):
            raise ValueError(
                "RandAugmentFixMatch: channel_order must be 'rgb' or 'bgr', "
                f'got {channel_order!r}')
        if not 0 <= cutout_max_ratio <= 1:
            raise ValueError(
                'RandAugmentFixMatch: cutout_max_ratio must be in [0, 1], '
                f'got {cutout_max_ratio!r}')
        if len(cutout_fill) != 3 or not all(0 <= c <= 255
                                            for c in cutout_fill):
            raise ValueError(
                'RandAugmentFixMatch: cutout_fill must be 3 values in '
                f'[0, 255] (RGB), got {cutout_fill!r}')
        self.num_ops = num_ops
        self.channel_order = channel_order
        self.cutout_max_ratio = cutout_max_ratio
        self.cutout_fill = tuple(int(c) for c in cutout_fill)
        self.faithful_cutout_center = faithful_cutout_center

    def augment(self, img: Image.Image) -> Image.Image:
        """Apply the random ops and Cutout to an RGB PIL image."""
        for op in random.choices(FIXMATCH_OPS, k=self.num_ops):
            magnitude = op.low + float(op.high - op.low) * random.random()
            img = op.fn(img, magnitude)
        side_ratio = random.random() * self.cutout_max_ratio
        return cutout(img, side_ratio, self.cutout_fill,
                      self.faithful_cutout_center)

    def transform(self, results: dict) -> dict:
        img = results['img']
        if (not isinstance(img, np.ndarray) or img.dtype != np.uint8
                or img.ndim != 3 or img.shape[2] != 3):
            got = (f'{img.dtype} array of shape {img.shape}' if isinstance(
                img, np.ndarray) else type(img).__name__)
            raise ValueError(
                'RandAugmentFixMatch expects results["img"] to be a uint8 '
                f'H×W×3 array, got {got}.')
        if self.channel_order == 'bgr':
            img = img[..., ::-1]
        out = np.array(self.augment(Image.fromarray(
            np.ascontiguousarray(img))))  # a writable copy
        if self.channel_order == 'bgr':
            out = out[..., ::-1]
        results['img'] = np.ascontiguousarray(out)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_ops={self.num_ops}, '
                f'channel_order={self.channel_order!r}, '
                f'cutout_max_ratio={self.cutout_max_ratio}, '
                f'cutout_fill={self.cutout_fill}, '
                f'faithful_cutout_center={self.faithful_cutout_center})')
