"""Training augmentations applied to a whole batch on the training device.

The standard CIFAR crop-with-padding and flip, and the FixMatch RandAugment +
Cutout strong view of MLKD and CRLD (``docs/recipes.md#strong-view``), as
batch operations on ``[B, 3, H, W]`` float tensors holding 0-255 pixel
values. They replace the per-image transforms that run in the data-loader
workers (``RandomCrop``, ``RandomFlip``, :class:`~mmlogitkd.datasets
.transforms.RandAugmentFixMatch`) when the dataset base config switches
``augment_on_device`` on: the workers then only decode, and the
augmentation no longer competes with the compute threads.

Same distributions as the per-image transforms, and more:

* every random number comes from :class:`.KeyedRandom`, keyed by (seed,
  epoch, sample index, view), so a sample's augmentation does not depend on
  workers, processes or batch order (what the teacher-logit cache needs);
* for given magnitudes each RandAugment op gives exactly the pixels of the
  PIL operation it replaces (tested op by op against PIL): blends truncate
  like ``Image.blend``, the smoothing filter rounds like ``ImageFilter.SMOOTH``
  and keeps the border, affine ops sample the nearest pixel centre as
  ``Image.transform``, and the luminance is PIL's integer ``L`` conversion.

Examples:
    >>> import torch
    >>> from mmlogitkd.models.data_preprocessors.keyed_random import (
    ...     KeyedRandom)
    >>> crop = BatchRandomCrop(size=32, padding=4)
    >>> images = torch.randint(0, 256, (8, 3, 32, 32)).float()
    >>> crop(images, KeyedRandom(0, 0, range(8), 0)).shape
    torch.Size([8, 3, 32, 32])
"""
import math
from typing import Callable, Dict, NamedTuple, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from mmlogitkd.registry import BATCH_TRANSFORMS
from .keyed_random import KeyedRandom


def _check_images(images: Tensor, owner: str) -> None:
    if not isinstance(images, Tensor) or images.dim() != 4 \
            or images.shape[1] != 3 or not images.is_floating_point():
        got = (f'{images.dtype} tensor of shape {tuple(images.shape)}'
               if isinstance(images, Tensor) else type(images).__name__)
        raise ValueError(f'{owner} expects a float [B, 3, H, W] batch of '
                         f'0-255 pixel values, got {got}')


@BATCH_TRANSFORMS.register_module()
class BatchRandomCrop:
    """Zero-pad by ``padding`` and crop ``size`` at a random offset, per
    sample (MMPretrain ``RandomCrop(crop_size, padding)``: both offsets
    uniform in ``{0, ..., H + 2 padding - size}``).

    Args:
        size (int): Output height and width.
        padding (int): Zero padding on every side. Defaults to 4.
    """

    def __init__(self, size: int = 32, padding: int = 4) -> None:
        if size < 1 or padding < 0:
            raise ValueError('BatchRandomCrop: size must be >= 1 and padding '
                             f'>= 0, got size={size}, padding={padding}')
        self.size, self.padding = int(size), int(padding)

    def offsets(self, images: Tensor,
                rng: KeyedRandom) -> Tuple[Tensor, Tensor]:
        """Row and column offsets into the padded images, ``[B]`` each."""
        height, width = images.shape[-2:]
        high_y = height + 2 * self.padding - self.size + 1
        high_x = width + 2 * self.padding - self.size + 1
        if high_y < 1 or high_x < 1:
            raise ValueError(
                f'BatchRandomCrop: a {self.size}x{self.size} crop does not '
                f'fit {height}x{width} images padded by {self.padding}')
        draws = rng.uniform('crop', 2)
        dy = (draws[:, 0] * high_y).long().clamp_(max=high_y - 1)
        dx = (draws[:, 1] * high_x).long().clamp_(max=high_x - 1)
        return dy, dx

    def __call__(self, images: Tensor, rng: KeyedRandom) -> Tensor:
        _check_images(images, 'BatchRandomCrop')
        dy, dx = (o.to(images.device) for o in self.offsets(images, rng))
        padded = F.pad(images, [self.padding] * 4)
        n, c, padded_h, padded_w = padded.shape
        steps = torch.arange(self.size, device=images.device)
        rows = (dy[:, None] + steps)[:, :, None]           # [B, S, 1]
        cols = (dx[:, None] + steps)[:, None, :]           # [B, 1, S]
        index = (rows * padded_w + cols).reshape(n, 1, -1).expand(n, c, -1)
        return padded.reshape(n, c, -1).gather(2, index).reshape(
            n, c, self.size, self.size)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(size={self.size}, '
                f'padding={self.padding})')


@BATCH_TRANSFORMS.register_module()
class BatchRandomFlip:
    """Horizontal flip of each sample with probability ``prob``.

    Args:
        prob (float): Flip probability. Defaults to 0.5.
    """

    def __init__(self, prob: float = 0.5) -> None:
        if not 0 <= prob <= 1:
            raise ValueError(f'BatchRandomFlip: prob must lie in [0, 1], got '
                             f'{prob}')
        self.prob = float(prob)

    def flags(self, rng: KeyedRandom) -> Tensor:
        """Which samples are flipped, ``[B]`` bool."""
        return rng.uniform('flip')[:, 0] < self.prob

    def __call__(self, images: Tensor, rng: KeyedRandom) -> Tensor:
        _check_images(images, 'BatchRandomFlip')
        flip = self.flags(rng).to(images.device)
        return torch.where(flip[:, None, None, None], images.flip(-1), images)

    def __repr__(self) -> str:
        return f'{type(self).__name__}(prob={self.prob})'


# --------------------------------------------------------------------------
# The FixMatch RandAugment ops, on a subset of the batch. ``x`` is float64
# [n, 3, H, W] in RGB, ``v`` float64 [n] magnitudes.
# --------------------------------------------------------------------------
def _luminance(x: Tensor) -> Tensor:
    """PIL's RGB -> L: ``(19595 R + 38470 G + 7471 B + 32768) >> 16``."""
    r, g, b = x.long().unbind(1)
    return ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16).to(
        x.dtype)[:, None]


def _blend(degenerate: Tensor, x: Tensor, v: Tensor) -> Tensor:
    """``Image.blend(degenerate, x, v)``: truncated, clipped to 0-255.

    Pillow's C blend takes ``alpha`` as a C ``float`` and computes
    ``in1 + alpha * (in2 - in1)`` in single precision, so this does too: in
    float64 about one image in a thousand lands one grey level off where the
    float32 result rounds across an integer.
    """
    alpha = v.to(torch.float32)[:, None, None, None]
    low = degenerate.to(torch.float32)
    out = low + alpha * (x.to(torch.float32) - low)
    return out.clamp(0, 255).floor().to(x.dtype)


def _auto_contrast(x: Tensor, v: Tensor) -> Tensor:
    low = x.amin(dim=(2, 3), keepdim=True)
    high = x.amax(dim=(2, 3), keepdim=True)
    valid = high > low
    # a true division (``255.0 / tensor`` multiplies by a reciprocal and can
    # differ from PIL's Python float in the last bit)
    scale = torch.full_like(high, 255.0) / torch.where(
        valid, high - low, torch.ones_like(high))
    out = (x * scale - low * scale).floor().clamp(0, 255)
    return torch.where(valid, out, x)


def _brightness(x: Tensor, v: Tensor) -> Tensor:
    return _blend(torch.zeros_like(x), x, v)


def _color(x: Tensor, v: Tensor) -> Tensor:
    return _blend(_luminance(x).expand_as(x), x, v)


def _contrast(x: Tensor, v: Tensor) -> Tensor:
    mean = (_luminance(x).mean(dim=(1, 2, 3), keepdim=True) + 0.5).floor()
    return _blend(mean.expand_as(x), x, v)


def _equalize(x: Tensor, v: Tensor) -> Tensor:
    """``ImageOps.equalize``: per-channel histogram equalisation with PIL's
    lookup table (``step = (N - last nonzero count) // 255``)."""
    n, c, h, w = x.shape
    values = x.long().reshape(n * c, h * w)
    hist = torch.zeros(n * c, 256, dtype=torch.long, device=x.device)
    hist.scatter_add_(1, values, torch.ones_like(values))
    nonzero = hist > 0
    last = 255 - nonzero.flip(1).long().argmax(dim=1)
    last_count = hist.gather(1, last[:, None])[:, 0]
    step = (h * w - last_count) // 255
    before = hist.cumsum(1) - hist                        # counts below i
    safe_step = step.clamp(min=1)[:, None]
    lut = ((before + safe_step // 2) // safe_step).clamp(max=255)
    keep = (nonzero.sum(1) <= 1) | (step == 0)
    mapped = lut.gather(1, values)
    out = torch.where(keep[:, None], values, mapped)
    return out.reshape(n, c, h, w).to(x.dtype)


def _identity(x: Tensor, v: Tensor) -> Tensor:
    return x


def _posterize(x: Tensor, v: Tensor) -> Tensor:
    bits = v.long().clamp(min=1)   # int(v) for v in [4, 8): 4 to 7 bits
    unit = (2**(8 - bits)).to(x.dtype)[:, None, None, None]
    return (x / unit).floor() * unit


def _fixed(values: Tensor) -> Tensor:
    """PIL's 16.16 fixed point: ``floor(v * 65536 + 0.5)`` as int64."""
    return (values * 65536.0 + 0.5).floor().long()


def _affine(x: Tensor, coefficients: Tensor) -> Tensor:
    """``Image.transform(size, AFFINE, (a, b, c, d, e, f), NEAREST)``.

    Output pixel (x, y) takes the input pixel that contains
    ``(a x' + b y' + c, d x' + e y' + f)`` with ``x' = x + 0.5``,
    ``y' = y + 0.5``; outside the image the output is black. As in PIL,
    a pure translation (``b = d = 0``) is evaluated in floating point and
    any other matrix in 16.16 fixed point (PIL's ``affine_fixed``), so the
    pixels are exactly PIL's. ``coefficients`` is ``[n, 6]`` float64.
    """
    n, c, h, w = x.shape
    coefficients = coefficients.to(x.device, torch.float64)
    a, b, cc, d, e, f = (coefficients[:, i, None, None] for i in range(6))
    xs = torch.arange(w, device=x.device)[None, None, :]
    ys = torch.arange(h, device=x.device)[None, :, None]
    scale_only = ((b == 0) & (d == 0))[:, 0, 0]
    # floating point (PIL ImagingScaleAffine): floor(a (x + .5) + c)
    x_float = (a * (xs + 0.5) + cc).floor().long()
    y_float = (e * (ys + 0.5) + f).floor().long()
    # fixed point (PIL affine_fixed)
    origin_x = _fixed(cc + a * 0.5 + b * 0.5)
    origin_y = _fixed(f + d * 0.5 + e * 0.5)
    x_fixed = torch.div(origin_x + xs * _fixed(a) + ys * _fixed(b), 65536,
                        rounding_mode='floor')
    y_fixed = torch.div(origin_y + xs * _fixed(d) + ys * _fixed(e), 65536,
                        rounding_mode='floor')
    select = scale_only[:, None, None]
    x_in = torch.where(select, x_float.expand(n, h, w), x_fixed)
    y_in = torch.where(select, y_float.expand(n, h, w), y_fixed)
    inside = (x_in >= 0) & (x_in < w) & (y_in >= 0) & (y_in < h)
    index = y_in.clamp(0, h - 1) * w + x_in.clamp(0, w - 1)
    flat = x.reshape(n, c, h * w)
    sampled = flat.gather(2, index.reshape(n, 1, h * w).expand(n, c, h * w))
    return sampled.reshape(n, c, h, w) * inside[:, None].to(x.dtype)


def _rotation_coefficients(degrees: Tensor, width: int,
                           height: int) -> Tensor:
    """PIL ``Image.rotate(degrees)`` as inverse affine coefficients (counter
    -clockwise about the image centre ``(w / 2, h / 2)``), computed in
    Python floats as PIL does (cosine and sine rounded to 15 decimals)."""
    cx, cy = width / 2.0, height / 2.0
    rows = []
    for value in degrees.tolist():
        angle = -math.radians(value)
        cos, sin = round(math.cos(angle), 15), round(math.sin(angle), 15)
        rows.append([cos, sin, cos * -cx + sin * -cy + cx, -sin, cos,
                     -sin * -cx + cos * -cy + cy])
    return torch.tensor(rows, dtype=torch.float64,
                        device=degrees.device).reshape(-1, 6)


def _sharpness(x: Tensor, v: Tensor) -> Tensor:
    """Blend with ``ImageFilter.SMOOTH`` (3x3 kernel 1 1 1 / 1 5 1 / 1 1 1,
    divided by 13, rounded; the 1-pixel border keeps its values)."""
    kernel = x.new_ones(3, 1, 3, 3)
    kernel[:, :, 1, 1] = 5
    # The weighted sum of integers is an integer; rounding it first keeps
    # the result exact whichever convolution algorithm the backend picks
    # (a non-direct one can return 12.999... for 13).
    total = F.conv2d(x, kernel, groups=3).round()
    smooth = (total / 13.0 + 0.5).floor()
    degenerate = x.clone()
    degenerate[:, :, 1:-1, 1:-1] = smooth
    return _blend(degenerate, x, v)


def _solarize(x: Tensor, v: Tensor) -> Tensor:
    return torch.where(x < v[:, None, None, None], x, 255 - x)


def _unit_affine(v: Tensor) -> Tensor:
    coefficients = v.new_zeros(len(v), 6)
    coefficients[:, 0] = 1
    coefficients[:, 4] = 1
    return coefficients


def _shear_x_coefficients(v: Tensor, width: int, height: int) -> Tensor:
    coefficients = _unit_affine(v)
    coefficients[:, 1] = v
    return coefficients


def _shear_y_coefficients(v: Tensor, width: int, height: int) -> Tensor:
    coefficients = _unit_affine(v)
    coefficients[:, 3] = v
    return coefficients


def _translate_x_coefficients(v: Tensor, width: int, height: int) -> Tensor:
    coefficients = _unit_affine(v)
    coefficients[:, 2] = v * width
    return coefficients


def _translate_y_coefficients(v: Tensor, width: int, height: int) -> Tensor:
    coefficients = _unit_affine(v)
    coefficients[:, 5] = v * height
    return coefficients


def _geometric(coefficients_fn):
    """An op ``fn(x, v)`` from a function of the affine coefficients."""

    def op(x: Tensor, v: Tensor) -> Tensor:
        return _affine(x, coefficients_fn(v, x.shape[-1], x.shape[-2]))

    op.coefficients = coefficients_fn
    return op


class BatchOp(NamedTuple):
    """One batched RandAugment op and its magnitude range ``[low, high)``;
    geometric ops also carry ``fn.coefficients(v, width, height)``, so that
    all of them in one slot are one resampling."""
    name: str
    fn: Callable[[Tensor, Tensor], Tensor]
    low: float
    high: float

    @property
    def geometric(self) -> bool:
        return hasattr(self.fn, 'coefficients')


#: The 14 FixMatch ops in the original order, with the same ranges as
#: :data:`mmlogitkd.datasets.transforms.rand_augment_fixmatch.FIXMATCH_OPS`.
BATCH_OPS: Tuple[BatchOp, ...] = (
    BatchOp('AutoContrast', _auto_contrast, 0.0, 1.0),
    BatchOp('Brightness', _brightness, 0.05, 0.95),
    BatchOp('Color', _color, 0.05, 0.95),
    BatchOp('Contrast', _contrast, 0.05, 0.95),
    BatchOp('Equalize', _equalize, 0.0, 1.0),
    BatchOp('Identity', _identity, 0.0, 1.0),
    BatchOp('Posterize', _posterize, 4.0, 8.0),
    BatchOp('Rotate', _geometric(_rotation_coefficients), -30.0, 30.0),
    BatchOp('Sharpness', _sharpness, 0.05, 0.95),
    BatchOp('ShearX', _geometric(_shear_x_coefficients), -0.3, 0.3),
    BatchOp('ShearY', _geometric(_shear_y_coefficients), -0.3, 0.3),
    BatchOp('Solarize', _solarize, 0.0, 256.0),
    BatchOp('TranslateX', _geometric(_translate_x_coefficients), -0.3, 0.3),
    BatchOp('TranslateY', _geometric(_translate_y_coefficients), -0.3, 0.3),
)
OP_BY_NAME: Dict[str, BatchOp] = {op.name: op for op in BATCH_OPS}


def apply_op(name: str, images: Tensor, magnitudes: Tensor) -> Tensor:
    """Apply the op ``name`` to RGB ``images`` (float, 0-255, ``[n, 3, H,
    W]``) with per-image ``magnitudes`` (``[n]``); float64 inside."""
    out = OP_BY_NAME[name].fn(images.double(),
                              magnitudes.to(images.device).double())
    return out.to(images.dtype)


def cutout_boxes(side_ratio: Tensor, centre: Tensor, width: int, height: int,
                 faithful_center: bool) -> Tensor:
    """Cutout boxes ``[x0, y0, x1, y1]`` (inclusive pixel bounds) as the
    per-image transform draws them (``rand_augment_fixmatch.cutout``).

    Args:
        side_ratio (Tensor): ``[B]`` side as a fraction of the width
            (``<= 0``: no box).
        centre (Tensor): ``[B, 2]`` uniforms in [0, 1) for x and y.
        width (int): Image width. height (int): Image height.
        faithful_center (bool): Centre in ``(1, w]`` (the original's
            ``np.random.uniform(w)``) instead of ``[0, w)``.

    Returns:
        Tensor: ``[B, 4]`` float64; empty boxes have ``x1 < x0``.
    """
    side = side_ratio * width
    if faithful_center:   # uniform(low=w, high=1): w + (1 - w) u, in (1, w]
        cx = width + (1 - width) * centre[:, 0]
        cy = height + (1 - height) * centre[:, 1]
    else:
        cx, cy = centre[:, 0] * width, centre[:, 1] * height
    x0 = (cx - side / 2).clamp(min=0).floor()
    y0 = (cy - side / 2).clamp(min=0).floor()
    # PIL's rectangle fills x0 .. floor(x1) inclusive, clipped to the image
    x1 = torch.minimum(x0 + side, torch.full_like(x0, width)).floor()
    y1 = torch.minimum(y0 + side, torch.full_like(y0, height)).floor()
    empty = side_ratio <= 0
    x1 = torch.where(empty, x0 - 1, x1)
    return torch.stack([x0, y0, x1, y1], dim=1)


@BATCH_TRANSFORMS.register_module()
class BatchRandAugmentFixMatch:
    """FixMatch-style RandAugment followed by Cutout, batched.

    The batched counterpart of :class:`~mmlogitkd.datasets.transforms
    .RandAugmentFixMatch` (same arguments): per sample, ``num_ops`` ops drawn
    with replacement from the 14 of :data:`BATCH_OPS`, each with a magnitude
    uniform in its range, then Cutout (side ``U[0, cutout_max_ratio) * w``,
    filled with ``cutout_fill``) always. Images with the same op in a slot
    are processed together.

    Args:
        num_ops (int): Ops per image. Defaults to 2.
        channel_order (str): ``'rgb'`` or ``'bgr'``: the channel order of the
            batch (the ops work in RGB). Defaults to 'rgb'.
        cutout_max_ratio (float): Defaults to 0.5.
        cutout_fill (Sequence[int]): RGB colour. Defaults to (125, 123, 114).
        faithful_cutout_center (bool): Keep the original's centre quirk.
            Defaults to True.
    """

    def __init__(self,
                 num_ops: int = 2,
                 channel_order: str = 'rgb',
                 cutout_max_ratio: float = 0.5,
                 cutout_fill: Sequence[int] = (125, 123, 114),
                 faithful_cutout_center: bool = True) -> None:
        if not isinstance(num_ops, int) or num_ops < 0:
            raise ValueError('BatchRandAugmentFixMatch: num_ops must be an '
                             f'int >= 0, got {num_ops!r}')
        if channel_order not in ('rgb', 'bgr'):
            raise ValueError("BatchRandAugmentFixMatch: channel_order must "
                             f"be 'rgb' or 'bgr', got {channel_order!r}")
        if not 0 <= cutout_max_ratio <= 1:
            raise ValueError('BatchRandAugmentFixMatch: cutout_max_ratio '
                             f'must be in [0, 1], got {cutout_max_ratio!r}')
        if len(cutout_fill) != 3 or not all(0 <= c <= 255
                                            for c in cutout_fill):
            raise ValueError('BatchRandAugmentFixMatch: cutout_fill must be '
                             f'3 values in [0, 255] (RGB), got {cutout_fill!r}')
        self.num_ops = num_ops
        self.channel_order = channel_order
        self.cutout_max_ratio = float(cutout_max_ratio)
        self.cutout_fill = tuple(int(c) for c in cutout_fill)
        self.faithful_cutout_center = bool(faithful_cutout_center)

    def draws(self, rng: KeyedRandom) -> Dict[str, Tensor]:
        """The random choices for every sample: ``ops`` ``[B, num_ops]``
        (indices into :data:`BATCH_OPS`), ``magnitudes`` ``[B, num_ops]``,
        ``side_ratio`` ``[B]`` and ``centre`` ``[B, 2]``."""
        ops = rng.integers('ops', len(BATCH_OPS), max(self.num_ops, 1))
        magnitude_u = rng.uniform('magnitudes', max(self.num_ops, 1))
        low = torch.tensor([op.low for op in BATCH_OPS], dtype=torch.float64)
        high = torch.tensor([op.high for op in BATCH_OPS],
                            dtype=torch.float64)
        magnitudes = low[ops] + (high[ops] - low[ops]) * magnitude_u
        return dict(
            ops=ops[:, :self.num_ops],
            magnitudes=magnitudes[:, :self.num_ops],
            side_ratio=rng.uniform('cutout_side')[:, 0] *
            self.cutout_max_ratio,
            centre=rng.uniform('cutout_centre', 2))

    def __call__(self, images: Tensor, rng: KeyedRandom) -> Tensor:
        _check_images(images, 'BatchRandAugmentFixMatch')
        draws = self.draws(rng)
        x = images.flip(1) if self.channel_order == 'bgr' else images
        x = x.to(torch.float64, copy=True)  # the ops below work in place
        device = x.device
        height, width = x.shape[-2:]
        for slot in range(self.num_ops):
            ops = draws['ops'][:, slot]
            magnitudes = draws['magnitudes'][:, slot]
            geometric, coefficients = [], []
            for index in torch.unique(ops).tolist():
                chosen = (ops == index).nonzero()[:, 0]
                op = BATCH_OPS[index]
                if op.name == 'Identity':
                    continue
                if op.geometric:   # one resampling for all of them, below
                    geometric.append(chosen)
                    coefficients.append(op.fn.coefficients(
                        magnitudes[chosen], width, height))
                    continue
                chosen = chosen.to(device)
                x[chosen] = op.fn(x[chosen], magnitudes[chosen].to(device))
            if geometric:
                chosen = torch.cat(geometric).to(device)
                x[chosen] = _affine(x[chosen], torch.cat(coefficients))
        x = self._cutout(x, draws)
        x = x.to(images.dtype)
        return x.flip(1) if self.channel_order == 'bgr' else x

    def _cutout(self, x: Tensor, draws: Dict[str, Tensor]) -> Tensor:
        n, _, height, width = x.shape
        boxes = cutout_boxes(draws['side_ratio'], draws['centre'], width,
                             height, self.faithful_cutout_center).to(x.device)
        xs = torch.arange(width, device=x.device)
        ys = torch.arange(height, device=x.device)
        boxes = boxes.long()
        in_x = (xs[None] >= boxes[:, 0:1]) & (xs[None] <= boxes[:, 2:3])
        in_y = (ys[None] >= boxes[:, 1:2]) & (ys[None] <= boxes[:, 3:4])
        mask = (in_y[:, :, None] & in_x[:, None, :])[:, None]
        fill = torch.tensor(self.cutout_fill, dtype=x.dtype,
                            device=x.device)[None, :, None, None]
        return torch.where(mask, fill, x)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(num_ops={self.num_ops}, '
                f'channel_order={self.channel_order!r}, '
                f'cutout_max_ratio={self.cutout_max_ratio}, '
                f'cutout_fill={self.cutout_fill}, '
                f'faithful_cutout_center={self.faithful_cutout_center})')
