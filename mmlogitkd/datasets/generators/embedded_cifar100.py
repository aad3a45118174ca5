"""The embedded dataset, version 3: a procedurally drawn CIFAR-100-format task
whose labels survive strong augmentation.

Nothing can be downloaded on our test machines, yet a first run should show
distillation working. This module draws 100 classes of 32×32 RGB images in 20
superclasses and writes them as the standard ``cifar-100-python/{train,test,
meta}`` pickle files, so :class:`~mmlogitkd.datasets.LocalCIFAR100` (or any
CIFAR-100 reader) loads them unchanged.

Why a version 3: two-view distillation methods (MLKD, CRLD) train on a
"strong view" (FixMatch RandAugment: colour, contrast, solarize, posterize,
rotation ±30°, shear ±0.3, translation ±30%, always followed by Cutout of up
to a quarter of the image). On natural images that view mostly keeps the
class; on version 2, whose fine classes differed by hue, stroke thickness,
aspect ratio or instance count of one big shape, it destroyed the label.
Version 3 follows two rules:

1. **The class is redundant across the image.** Every image is a wallpaper:
   several instances of one motif on a jittered, rotated lattice (or a
   pattern filling the whole image), so hiding a quarter of it, or shifting
   a third of it out of view, leaves enough to recognise.
2. **The class is defined only by geometry that the strong view keeps**:
   motif shape (superclass) and an ordinal fine attribute that is invariant
   to rotation, nearly invariant to shear, and independent of colour,
   brightness, contrast and polarity:

   ==========  ===========================================  ==================
   fine axis   superclasses                                 the 5 levels
   ==========  ===========================================  ==================
   arms        star, spokes, flower, gear (disc with slots)  3 ... 7 arms
   size        discs, crosses, dashes, triangles             radius 2.8·1.25^k px
   period      stripes, concentric, checker, waves           period 3.4·1.22^k px
   ratio       donut, frame (hole ratio 0.2 ... 0.68),       evenly spaced
               pacman (mouth 45° ... 165°), crescent
               (bite offset 0.2 ... 0.88 of the radius)
   count       dotring, bars, holes (plate with round        2 ... 6 parts
               holes), zigzag (segments)
   ==========  ===========================================  ==================

   Colour, brightness, contrast, polarity (light on dark or dark on light),
   tone curves (per-channel gamma, sometimes inverted bright tones),
   orientation and mirroring, a global shear, occluding boxes, background
   gradients, clutter lines, blur, jagged (nearest-neighbour) edges and
   pixel noise are all drawn at random for every image, so a network trained
   on the clean images already has to ignore what the strong view changes.
   Motif size never varies except on the size axis, and the strong view
   has no scaling, so absolute size is a safe fine attribute.

Adjacent fine levels look alike, so a teacher puts probability mass on the
neighbouring classes of the right superclass: the "dark knowledge" a student
can use. ``fine_jitter`` (in units of the spacing between levels) sets how
much adjacent classes overlap, hence the difficulty: continuous attributes
get an image-level Gaussian jitter of that standard deviation (in log space
for size and period) plus 0.3 times it per instance; discrete ones (arms,
count) move an instance by ±1 with probability ``fine_jitter / 2`` (so the
image's majority still tells the class). The calibrated value is 0.2; the
measurements are in ``docs/embedded_dataset.md``.

Determinism: image ``i`` of a split is drawn from its own generator seeded by
``(seed, split, i)``, so the files are byte-identical for the same settings,
whatever the machine or the order in which images are drawn.
"""
import colorsys
import dataclasses
import json
import os
import os.path as osp
import pickle
from typing import Callable, Dict, List, Optional, Tuple

import cv2
import numpy as np

#: Bump when the drawing changes, so existing outputs are regenerated.
GENERATOR_VERSION = 3
#: Images are drawn at this size, then area-downsampled to ``IMAGE_SIZE``.
CANVAS_SIZE = 64
IMAGE_SIZE = 32
#: Canvas pixels per image pixel. All sizes below are in image pixels.
_UP = CANVAS_SIZE / IMAGE_SIZE
NUM_LEVELS = 5
#: Folder and file names of the standard CIFAR-100 python archive.
BASE_FOLDER = 'cifar-100-python'
SPLIT_FILES = ('train', 'test', 'meta')
#: Written next to the data files; describes how they were generated.
GENERATOR_FILE = 'generator.json'

#: (superclass, fine axis), in coarse-label order.
SUPERCLASSES: Tuple[Tuple[str, str], ...] = (
    ('star', 'arms'),
    ('spokes', 'arms'),
    ('flower', 'arms'),
    ('gear', 'arms'),
    ('discs', 'size'),
    ('crosses', 'size'),
    ('dashes', 'size'),
    ('triangles', 'size'),
    ('stripes', 'period'),
    ('concentric', 'period'),
    ('checker', 'period'),
    ('waves', 'period'),
    ('donut', 'ratio'),
    ('frame', 'ratio'),
    ('pacman', 'ratio'),
    ('crescent', 'ratio'),
    ('dotring', 'count'),
    ('bars', 'count'),
    ('holes', 'count'),
    ('zigzag', 'count'),
)

#: Discrete axes: the value of level k is ``start + k``.
DISCRETE_START = {'arms': 3, 'count': 2}
#: Geometric axes: level k is ``start * ratio**k`` (jitter in log space).
SIZE_START_PX, SIZE_RATIO = 2.8, 1.25
PERIOD_START_PX, PERIOD_RATIO = 3.4, 1.22
#: Ratio axis: level k is ``start + k * step`` per superclass.
RATIO_LEVELS = {
    'donut': (0.2, 0.12),      # hole radius / outer radius
    'frame': (0.2, 0.12),      # hole side / outer side
    'pacman': (45.0, 30.0),    # mouth angle in degrees
    'crescent': (0.2, 0.17),   # offset of the bite / radius
}


def _level_names(name: str, axis: str) -> Tuple[str, ...]:
    if axis in DISCRETE_START:
        unit = 'arms' if axis == 'arms' else 'n'
        return tuple(f'{unit}{DISCRETE_START[axis] + k}'
                     for k in range(NUM_LEVELS))
    return tuple(f'{axis}{k}' for k in range(NUM_LEVELS))


@dataclasses.dataclass(frozen=True)
class EmbeddedCIFAR100Settings:
    """Everything that determines the generated files.

    Args:
        train_per_class (int): Training images per fine class.
        test_per_class (int): Test images per fine class.
        seed (int): Seed of every random draw.
        fine_jitter (float): Overlap of adjacent fine classes (difficulty):
            the standard deviation of the image-level jitter of continuous
            attributes in units of the level spacing (per instance 0.3 times
            it is added), and twice the probability that one instance of a
            discrete attribute (arms, count) is off by one. Calibrated:
            0.2.
    """
    train_per_class: int
    test_per_class: int
    seed: int
    fine_jitter: float

    def __post_init__(self):
        if self.train_per_class < 1 or self.test_per_class < 1:
            raise ValueError(
                'train_per_class and test_per_class must be >= 1, got '
                f'{self.train_per_class} and {self.test_per_class}')
        if not 0 <= self.fine_jitter <= 1:
            raise ValueError(
                f'fine_jitter must be in [0, 1], got {self.fine_jitter}')

    def to_dict(self) -> dict:
        return dict(dataclasses.asdict(self),
                    generator_version=GENERATOR_VERSION)


def fine_class_names() -> List[str]:
    """The 100 fine class names, e.g. ``star_arms5`` or ``stripes_period2``,
    ordered by fine label (superclass-major: fine = 5 × coarse + level)."""
    return [f'{name}_{level}' for name, axis in SUPERCLASSES
            for level in _level_names(name, axis)]


def coarse_class_names() -> List[str]:
    """The 20 superclass names ordered by coarse label."""
    return [name for name, _ in SUPERCLASSES]


# --------------------------------------------------------------------------
# Geometry helpers (unit coordinates: a motif fits in the unit disc)
# --------------------------------------------------------------------------
def _rot(degrees: float) -> np.ndarray:
    t = np.deg2rad(degrees)
    return np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])


def _circle(r: float = 1.0, cx: float = 0.0, cy: float = 0.0,
            start: float = 0.0, stop: float = 2 * np.pi,
            num: int = 40) -> np.ndarray:
    closed = abs(stop - start - 2 * np.pi) < 1e-9
    a = np.linspace(start, stop, num, endpoint=not closed)
    return np.stack([cx + r * np.cos(a), cy + r * np.sin(a)], 1)


def _rect(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], float)


def _ngon(n: int, r: float = 1.0) -> np.ndarray:
    a = -np.pi / 2 + 2 * np.pi * np.arange(n) / n
    return np.stack([r * np.cos(a), r * np.sin(a)], 1)


#: A motif is a list of parts ``(mode, points, closed, width)``: mode
#: 'fill' (polygon), 'stroke' (polyline of ``width`` image pixels) or 'erase'
#: (fill with background). Points are in unit coordinates.
Part = Tuple[str, np.ndarray, bool, float]


def _motif(name: str, value: float, radius: float) -> List[Part]:
    """The parts of one instance of ``name`` with fine value ``value``
    (arms/count: an int; ratio: the ratio; size: unused) at ``radius``
    image pixels (strokes are given in image pixels)."""
    stroke = float(np.clip(0.2 * radius, 1.3, 1.9))
    if name == 'star':
        n = int(value)
        a = -np.pi / 2 + np.pi * np.arange(2 * n) / n
        r = np.where(np.arange(2 * n) % 2 == 0, 1.0, 0.42)
        return [('fill', np.stack([r * np.cos(a), r * np.sin(a)], 1), True,
                 0)]
    if name == 'spokes':
        return [('stroke', np.array([[0.0, 0.0], p]), False, stroke)
                for p in _ngon(int(value))]
    if name == 'flower':
        n = int(value)
        parts = [('fill', _circle(0.34), True, 0)]
        width = min(0.3, 0.95 * np.sin(np.pi / n) * 0.62)
        for angle in -90.0 + 360.0 * np.arange(n) / n:
            petal = _circle(1.0, num=24) * [0.38, width] + [0.62, 0.0]
            parts.append(('fill', petal @ _rot(angle).T, True, 0))
        return parts
    if name == 'gear':  # a disc with n slots cut from the rim
        parts = [('fill', _circle(1.0), True, 0)]
        for angle in -90.0 + 360.0 * np.arange(int(value)) / int(value):
            slot = _rect(0.5, -0.15, 1.1, 0.15)
            parts.append(('erase', slot @ _rot(angle).T, True, 0))
        return parts
    if name == 'discs':
        return [('fill', _circle(1.0, num=28), True, 0)]
    if name == 'crosses':
        w = max(0.2, 0.55 / radius)
        return [('fill', _rect(-1, -w, 1, w), True, 0),
                ('fill', _rect(-w, -1, w, 1), True, 0)]
    if name == 'dashes':
        return [('stroke', np.array([[-1.0, 0.0], [1.0, 0.0]]), False, 1.5)]
    if name == 'triangles':
        return [('fill', _ngon(3), True, 0)]
    if name == 'donut':
        return [('fill', _circle(1.0), True, 0),
                ('erase', _circle(value), True, 0)]
    if name == 'frame':
        return [('fill', _rect(-0.72, -0.72, 0.72, 0.72), True, 0),
                ('erase', _rect(-0.72 * value, -0.72 * value, 0.72 * value,
                                0.72 * value), True, 0)]
    if name == 'pacman':
        half = np.deg2rad(value) / 2
        arc = _circle(1.0, start=half, stop=2 * np.pi - half, num=36)
        return [('fill', np.vstack([[0.0, 0.0], arc]), True, 0)]
    if name == 'crescent':
        return [('fill', _circle(1.0), True, 0),
                ('erase', _circle(0.9, value, 0.0), True, 0)]
    if name == 'dotring':
        n = int(value)
        dot = 0.27 if n <= 4 else 0.22
        return [('fill', _circle(dot, *c, num=16), True, 0)
                for c in _ngon(n, 0.7 if n > 1 else 0.0)]
    if name == 'bars':
        n = int(value)
        pitch = 1.5 / n
        return [('fill', _rect(-0.7, -0.75 + i * pitch, 0.7,
                               -0.75 + i * pitch + 0.55 * pitch), True, 0)
                for i in range(n)]
    if name == 'holes':  # a square plate with n round holes in a ring
        n = int(value)
        parts = [('fill', _rect(-0.74, -0.74, 0.74, 0.74), True, 0)]
        hole = 0.22 if n <= 4 else 0.18
        parts += [('erase', _circle(hole, *c, num=16), True, 0)
                  for c in _ngon(n, 0.5 if n > 1 else 0.0)]
        return parts
    if name == 'zigzag':
        n = int(value)
        x = np.linspace(-0.95, 0.95, n + 1)
        y = np.where(np.arange(n + 1) % 2 == 0, -0.55, 0.55)
        return [('stroke', np.stack([x, y], 1), False, stroke)]
    raise KeyError(f'unknown motif {name!r}')


_SUBPIXEL_BITS = 4  # OpenCV fixed-point coordinates: 1/16 px precision


def _draw(mask: np.ndarray, parts: List[Part], centre: np.ndarray,
          linear: np.ndarray) -> None:
    """Rasterise ``parts`` into the canvas ``mask`` (uint8, 255 = motif);
    ``linear`` (2×2) and ``centre`` map unit to canvas coordinates."""
    scale = 1 << _SUBPIXEL_BITS
    for mode, points, closed, width in parts:
        pixels = points @ linear.T + centre
        fixed = np.round(pixels * scale).astype(np.int32).reshape(-1, 1, 2)
        value = 0 if mode == 'erase' else 255
        if mode == 'stroke':
            cv2.polylines(mask, [fixed], closed, value,
                          max(1, int(round(width * _UP))), cv2.LINE_AA,
                          _SUBPIXEL_BITS)
        else:
            cv2.fillPoly(mask, [fixed], value, cv2.LINE_AA, _SUBPIXEL_BITS)


# --------------------------------------------------------------------------
# Colours and nuisances
# --------------------------------------------------------------------------
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def _hsv(hue: float, sat: float, val: float) -> np.ndarray:
    rgb = colorsys.hsv_to_rgb((hue % 360.0) / 360.0, sat, val)
    return np.array(rgb, np.float32) * 255.0


def _with_luma(colour: np.ndarray, luma: float) -> np.ndarray:
    """``colour`` scaled (or blended towards white) to luminance ``luma``."""
    current = float(colour @ _LUMA)
    if luma <= current:
        return colour * (luma / max(current, 1e-3))
    t = (luma - current) / max(255.0 - current, 1e-3)
    return colour + (255.0 - colour) * t


def _colour_pair(rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
    """Background and foreground colours of random hue and saturation whose
    luminances differ by 60-180 (either polarity)."""
    bg = _hsv(rng.uniform(0, 360), rng.uniform(0, 0.7), 1.0)
    fg = _hsv(rng.uniform(0, 360), rng.uniform(0, 1.0), 1.0)
    contrast = rng.uniform(60.0, 180.0)
    bg_luma = rng.uniform(15.0, 240.0)
    fg_luma = bg_luma + contrast * (1 if rng.random() < 0.5 else -1)
    if not 5.0 <= fg_luma <= 250.0:  # no room on that side: flip polarity
        fg_luma = bg_luma - (fg_luma - bg_luma)
    fg_luma = float(np.clip(fg_luma, 5.0, 250.0))
    return _with_luma(bg, bg_luma), _with_luma(fg, fg_luma)


_YS, _XS = np.mgrid[0:CANVAS_SIZE, 0:CANVAS_SIZE].astype(np.float32)


def _field(rng: np.random.Generator, start: np.ndarray,
           prob_gradient: float, hue_jitter: bool) -> np.ndarray:
    """A canvas of colour ``start``, or a linear gradient from it to a
    second colour of similar luminance (``hue_jitter``) or of another
    luminance (background)."""
    if rng.random() >= prob_gradient:
        return np.broadcast_to(start, (CANVAS_SIZE, CANVAS_SIZE, 3))
    luma = float(start @ _LUMA)
    if hue_jitter:
        stop = _with_luma(_hsv(rng.uniform(0, 360), rng.uniform(0, 1), 1.0),
                          luma)
    else:
        stop = _with_luma(_hsv(rng.uniform(0, 360), rng.uniform(0, 0.7),
                               1.0),
                          float(np.clip(luma + rng.uniform(-50, 50), 5, 250)))
    t = rng.uniform(0, 2 * np.pi)
    ramp = (_XS * np.cos(t) + _YS * np.sin(t)) / CANVAS_SIZE
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    return start + ramp[..., None] * (stop - start)


def _clutter_lines(canvas: np.ndarray, rng: np.random.Generator) -> None:
    """Up to two long thin lines across the background."""
    for _ in range(rng.integers(0, 3)):
        p0 = rng.uniform(-8, CANVAS_SIZE + 8, 2)
        p1 = rng.uniform(-8, CANVAS_SIZE + 8, 2)
        colour = _hsv(rng.uniform(0, 360), rng.uniform(0, 0.8),
                      rng.uniform(0.1, 1.0)).tolist()
        cv2.line(canvas, tuple(int(v) for v in p0),
                 tuple(int(v) for v in p1), colour, 1, cv2.LINE_AA)


def _occluders(image: np.ndarray, rng: np.random.Generator) -> None:
    """With probability 0.4, one or two solid boxes (side 3-12 px) over the
    picture (image pixels, in place)."""
    if rng.random() >= 0.4:
        return
    for _ in range(rng.integers(1, 3)):
        w, h = rng.uniform(3, 12, 2)
        x0, y0 = rng.uniform(-2, IMAGE_SIZE - 2, 2)
        if rng.random() < 0.5:
            colour = np.full(3, rng.uniform(0, 255), np.float32)
        else:
            colour = _hsv(rng.uniform(0, 360), rng.uniform(0, 1),
                          rng.uniform(0, 1))
        xa, ya = int(max(0, x0)), int(max(0, y0))
        xb = int(min(IMAGE_SIZE, x0 + w))
        yb = int(min(IMAGE_SIZE, y0 + h))
        image[ya:yb, xa:xb] = colour


def _photometric(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random global lighting and tone: contrast, brightness, per-channel
    tone curves (gamma), inversion of the bright tones (as an over-exposed
    print), desaturation and blur. The class never depends on any of them."""
    if rng.random() < 0.4:  # contrast towards the mean grey
        grey = float((image @ _LUMA).mean())
        image = grey + (image - grey) * rng.uniform(0.2, 1.0)
    if rng.random() < 0.4:
        image = image * rng.uniform(0.25, 1.2)
    image = np.clip(image, 0.0, 255.0)
    if rng.random() < 0.25:  # per-channel gamma
        gamma = np.exp(rng.uniform(-0.8, 0.8, 3)).astype(np.float32)
        image = 255.0 * (image / 255.0)**gamma
    if rng.random() < 0.1:  # tones above a threshold inverted
        threshold = rng.uniform(0, 255)
        image = np.where(image >= threshold, 255.0 - image, image)
    if rng.random() < 0.25:
        image = np.repeat((image @ _LUMA)[..., None], 3, axis=2)
    if rng.random() < 0.2:
        image = cv2.GaussianBlur(image, (3, 3), rng.uniform(0.4, 0.8))
    return image


def _noise_sigma(rng: np.random.Generator) -> float:
    """Pixel noise: mostly faint, sometimes strong (grainy pictures)."""
    if rng.random() < 0.15:
        return rng.uniform(6.0, 16.0)
    return rng.uniform(0.5, 3.0)


# --------------------------------------------------------------------------
# Fine attribute of this image and of each instance
# --------------------------------------------------------------------------
def _image_value(name: str, axis: str, level: int,
                 rng: np.random.Generator, jitter: float) -> float:
    """The image-level fine value (jittered for continuous axes)."""
    if axis in DISCRETE_START:
        return float(DISCRETE_START[axis] + level)
    z = level + rng.normal(0.0, jitter)
    if axis == 'size':
        return SIZE_START_PX * SIZE_RATIO**z
    if axis == 'period':
        return PERIOD_START_PX * PERIOD_RATIO**z
    start, step = RATIO_LEVELS[name]
    return start + step * z


def _instance_value(name: str, axis: str, value: float,
                    rng: np.random.Generator, jitter: float) -> float:
    """One instance's value: discrete axes off by ±1 with probability
    ``jitter / 2``; continuous ones with a further jitter of 0.3 × the
    image's."""
    if axis in DISCRETE_START:
        if rng.random() < 0.5 * jitter:
            value += 1 if rng.random() < 0.5 else -1
        return float(max(2 if axis == 'arms' else 1, value))
    z = rng.normal(0.0, 0.3 * jitter)
    if axis == 'size':
        return value * SIZE_RATIO**z
    start, step = RATIO_LEVELS[name]
    lo, hi = (10.0, 175.0) if name == 'pacman' else (0.08, 0.92)
    return float(np.clip(value + step * z, lo, hi))


# --------------------------------------------------------------------------
# Drawing one image
# --------------------------------------------------------------------------
def _shear_matrix(rng: np.random.Generator) -> np.ndarray:
    """A shear of up to ±0.25 along a random direction (the whole image)."""
    phi = rng.uniform(0, 180)
    shear = np.array([[1.0, rng.uniform(-0.25, 0.25)], [0.0, 1.0]])
    return _rot(phi) @ shear @ _rot(-phi)


def _wallpaper_mask(name: str, axis: str, value: float,
                    rng: np.random.Generator, jitter: float,
                    shear: np.ndarray) -> np.ndarray:
    """Instances of a motif on a jittered, rotated lattice over the canvas
    (partial instances at the borders), as a uint8 canvas mask."""
    if axis == 'size':
        radius = value
        spacing = radius * rng.uniform(2.3, 2.9)
    else:
        radius = rng.uniform(5.6, 7.4)
        spacing = radius * rng.uniform(2.25, 2.6)
    lattice = _rot(rng.uniform(0, 90)) * spacing
    if rng.random() < 0.5:  # hexagonal lattice
        lattice = lattice @ np.array([[1.0, 0.5], [0.0, np.sqrt(0.75)]])
    lattice = shear @ lattice
    offset = rng.uniform(0, 1, 2)
    reach = int(np.ceil(IMAGE_SIZE / spacing)) + 2
    grid = np.stack(np.meshgrid(np.arange(-reach, reach + 1),
                                np.arange(-reach, reach + 1)), -1)
    grid = grid.reshape(-1, 2) + offset
    centres = grid @ lattice.T + IMAGE_SIZE / 2
    centres += rng.uniform(-0.12, 0.12, centres.shape) * spacing
    inside = np.all((centres > -radius) & (centres < IMAGE_SIZE + radius), 1)
    keep = inside & (rng.random(len(centres)) >= 0.12)  # gaps
    mask = np.zeros((CANVAS_SIZE, CANVAS_SIZE), np.uint8)
    same_angle = rng.random() < 0.3  # all instances alike, or each its own
    base_angle = rng.uniform(0, 360)
    for centre in centres[keep]:
        v = _instance_value(name, axis, value, rng, jitter)
        r = v if axis == 'size' else radius * rng.uniform(0.9, 1.1)
        angle = base_angle + (rng.uniform(-15, 15) if same_angle else
                              rng.uniform(0, 360))
        linear = shear @ _rot(angle) * (r * _UP)
        if rng.random() < 0.5:  # mirror image
            linear = linear @ np.diag([1.0, -1.0])
        _draw(mask, _motif(name, v, r), centre * _UP, linear)
    return mask


def _pattern_alpha(name: str, period: float, rng: np.random.Generator,
                   shear: np.ndarray) -> np.ndarray:
    """A full-canvas periodic pattern (float alpha in [0, 1]) of ``period``
    image pixels."""
    inverse = np.linalg.inv(shear @ _rot(rng.uniform(0, 360)))
    x = (_XS + 0.5) / _UP - IMAGE_SIZE / 2
    y = (_YS + 0.5) / _UP - IMAGE_SIZE / 2
    u = inverse[0, 0] * x + inverse[0, 1] * y
    v = inverse[1, 0] * x + inverse[1, 1] * y
    duty = rng.uniform(0.4, 0.6)
    phase = rng.uniform(0, 1)
    if name == 'stripes':
        s = u / period
    elif name == 'concentric':
        c = rng.uniform(-8, 8, 2)
        s = np.sqrt((u - c[0])**2 + (v - c[1])**2) / period
    elif name == 'waves':
        amplitude = period * rng.uniform(0.35, 0.6)
        wavelength = rng.uniform(9, 15)
        s = (u + amplitude * np.sin(2 * np.pi * v / wavelength)) / period
    else:  # checker: cells of half a period along both axes
        a = np.mod(u / period + phase, 1.0) < 0.5
        b = np.mod(v / period + phase, 1.0) < 0.5
        return (a ^ b).astype(np.float32)
    # Square wave, softened over about one canvas pixel (anti-aliasing):
    # alpha follows the signed distance to the nearest edge.
    frac = np.mod(s + phase, 1.0)
    inside = frac < duty
    distance = np.where(inside, np.minimum(frac, duty - frac),
                        -np.minimum(frac - duty, 1.0 - frac))
    alpha = np.clip(0.5 + distance * (_UP * period), 0.0, 1.0)
    return alpha.astype(np.float32)


def render_image(fine_label: int, rng: np.random.Generator,
                 fine_jitter: float) -> np.ndarray:
    """Draw one 32×32 RGB image of ``fine_label``.

    Args:
        fine_label (int): Fine class in ``[0, 100)``.
        rng (np.random.Generator): Source of every random choice.
        fine_jitter (float): See :class:`EmbeddedCIFAR100Settings`.

    Returns:
        np.ndarray: uint8 array of shape (32, 32, 3), RGB.
    """
    if not 0 <= fine_label < len(SUPERCLASSES) * NUM_LEVELS:
        raise ValueError(f'fine_label must be in [0, 100), got {fine_label}')
    name, axis = SUPERCLASSES[fine_label // NUM_LEVELS]
    level = fine_label % NUM_LEVELS

    bg_colour, fg_colour = _colour_pair(rng)
    canvas = np.ascontiguousarray(_field(rng, bg_colour, 0.6, False),
                                  np.float32)
    _clutter_lines(canvas, rng)
    paint = _field(rng, fg_colour, 0.4, True)

    value = _image_value(name, axis, level, rng, fine_jitter)
    shear = _shear_matrix(rng)
    if axis == 'period':
        alpha = _pattern_alpha(name, value, rng, shear)
    else:
        alpha = _wallpaper_mask(name, axis, value, rng, fine_jitter,
                                shear).astype(np.float32) / 255.0
    canvas = canvas * (1.0 - alpha[..., None]) + paint * alpha[..., None]

    # Mostly area downsampling (anti-aliased); sometimes nearest neighbour,
    # whose jagged edges are what a resampled (rotated, sheared) picture has.
    image = cv2.resize(canvas, (IMAGE_SIZE, IMAGE_SIZE),
                       interpolation=(cv2.INTER_NEAREST if rng.random() < 0.3
                                      else cv2.INTER_AREA))
    _occluders(image, rng)
    image = _photometric(image, rng)
    image = image + rng.normal(0.0, _noise_sigma(rng), image.shape)
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------
# Splits and files
# --------------------------------------------------------------------------
_SPLIT_IDS = {'train': 0, 'test': 1}


def generate_split(settings: EmbeddedCIFAR100Settings,
                   split: str) -> Dict[str, object]:
    """Draw one split and return it as a CIFAR-100 pickle dict.

    Args:
        settings (EmbeddedCIFAR100Settings): What to generate.
        split (str): ``'train'`` or ``'test'``.

    Returns:
        dict: ``data`` (uint8, N×3072, rows are R, G, B planes of 32×32),
        ``fine_labels``, ``coarse_labels``, ``filenames``, ``batch_label``.
        The image order is shuffled, as in CIFAR-100.
    """
    if split not in _SPLIT_IDS:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    split_id = _SPLIT_IDS[split]
    per_class = (settings.train_per_class if split == 'train' else
                 settings.test_per_class)
    num_classes = len(SUPERCLASSES) * NUM_LEVELS
    order_rng = np.random.default_rng([settings.seed, split_id, 1 << 31])
    labels = order_rng.permutation(np.repeat(np.arange(num_classes),
                                             per_class))
    names = fine_class_names()
    data = np.empty((len(labels), 3 * IMAGE_SIZE * IMAGE_SIZE), np.uint8)
    for index, label in enumerate(labels):
        # One generator per image: the result does not depend on the order
        # (or the process) in which images are drawn.
        rng = np.random.default_rng([settings.seed, split_id, index])
        image = render_image(int(label), rng, settings.fine_jitter)
        data[index] = image.transpose(2, 0, 1).reshape(-1)  # CHW row
    batch_label = ('training batch 1 of 1' if split == 'train' else
                   'testing batch 1 of 1')
    return {
        'data': data,
        'fine_labels': [int(v) for v in labels],
        'coarse_labels': [int(v) // NUM_LEVELS for v in labels],
        'filenames': [f'{names[label]}_s{index:06d}.png'
                      for index, label in enumerate(labels)],
        'batch_label': batch_label,
    }


def _dump_atomic(obj: object, path: str) -> None:
    """Pickle with protocol 2 (as the official files) via a temporary file,
    so an interrupted run never leaves a truncated file behind."""
    tmp_path = f'{path}.tmp'
    with open(tmp_path, 'wb') as f:
        pickle.dump(obj, f, protocol=2)
    os.replace(tmp_path, path)


def read_generator_info(out_dir: str) -> Optional[dict]:
    """The settings recorded in ``out_dir/generator.json``, or None."""
    path = osp.join(out_dir, GENERATOR_FILE)
    if not osp.isfile(path):
        return None
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def is_up_to_date(out_dir: str, settings: EmbeddedCIFAR100Settings) -> bool:
    """Whether ``out_dir`` already holds the files these settings produce."""
    info = read_generator_info(out_dir)
    if info is None or info.get('settings') != settings.to_dict():
        return False
    return all(
        osp.isfile(osp.join(out_dir, BASE_FOLDER, name))
        for name in SPLIT_FILES)


def write_embedded_cifar100(out_dir: str,
                            settings: EmbeddedCIFAR100Settings,
                            overwrite: bool = False) -> dict:
    """Generate the dataset into ``out_dir/cifar-100-python/``.

    Skips the work when ``out_dir`` already holds files generated with the
    same settings (recorded in ``out_dir/generator.json``), unless
    ``overwrite``.

    Args:
        out_dir (str): Data root; use it as ``data_root`` of the dataset.
        settings (EmbeddedCIFAR100Settings): What to generate.
        overwrite (bool): Regenerate even when up to date.

    Returns:
        dict: ``{'out_dir', 'files', 'num_train', 'num_test', 'skipped',
        'settings'}``.
    """
    folder = osp.join(out_dir, BASE_FOLDER)
    files = [osp.join(folder, name) for name in SPLIT_FILES]
    summary = dict(out_dir=out_dir, files=files,
                   num_train=settings.train_per_class * 100,
                   num_test=settings.test_per_class * 100,
                   settings=settings.to_dict())
    if not overwrite and is_up_to_date(out_dir, settings):
        return dict(summary, skipped=True)

    os.makedirs(folder, exist_ok=True)
    info_path = osp.join(out_dir, GENERATOR_FILE)
    if osp.exists(info_path):
        os.remove(info_path)  # stale until the new files are complete
    for split in ('train', 'test'):
        _dump_atomic(generate_split(settings, split),
                     osp.join(folder, split))
    _dump_atomic({'fine_label_names': fine_class_names(),
                  'coarse_label_names': coarse_class_names()},
                 osp.join(folder, 'meta'))
    with open(info_path, 'w') as f:
        json.dump({'settings': settings.to_dict(),
                   'format': 'cifar-100-python'}, f, indent=2,
                  sort_keys=True)
    return dict(summary, skipped=False)


def render_sample_grid(
        settings: EmbeddedCIFAR100Settings,
        samples_per_class: int = 2,
        zoom: int = 2,
        strong_view: Optional[Callable[[np.ndarray], np.ndarray]] = None
) -> np.ndarray:
    """A labelled overview image: one row per superclass, its five fine
    classes left to right (``samples_per_class`` images each).

    Images are drawn with the training split's seeds of ``settings``, but
    independently of the files.

    Args:
        strong_view (callable, optional): If given, every sample is followed
            by ``strong_view(image)`` (uint8 H×W×3 RGB in and out), e.g. the
            strong-view augmentation, so clean and augmented images are side
            by side.

    Returns:
        np.ndarray: uint8 RGB image.
    """
    cell = IMAGE_SIZE * zoom
    gap = 2
    label_width = 150
    header = 18
    per_sample = 2 if strong_view is not None else 1
    columns = NUM_LEVELS * samples_per_class * per_sample
    height = header + len(SUPERCLASSES) * (cell + gap)
    width = label_width + columns * (cell + gap) + 3 * gap * NUM_LEVELS
    grid = np.full((height, width, 3), 255, np.uint8)
    group = samples_per_class * per_sample * (cell + gap) + 3 * gap
    for row, (name, axis) in enumerate(SUPERCLASSES):
        top = header + row * (cell + gap)
        cv2.putText(grid, f'{name} ({axis})', (4, top + cell // 2 + 5),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.42, (0, 0, 0), 1,
                    cv2.LINE_AA)
        for level in range(NUM_LEVELS):
            label = row * NUM_LEVELS + level
            for sample in range(samples_per_class):
                rng = np.random.default_rng(
                    [settings.seed, 2, label, sample])
                image = render_image(label, rng, settings.fine_jitter)
                views = [image]
                if strong_view is not None:
                    views.append(strong_view(image))
                for k, view in enumerate(views):
                    view = cv2.resize(view, (cell, cell),
                                      interpolation=cv2.INTER_NEAREST)
                    left = (label_width + level * group +
                            (sample * per_sample + k) * (cell + gap))
                    grid[top:top + cell, left:left + cell] = view
    for level in range(NUM_LEVELS):
        left = label_width + level * group
        text = f'level {level}' + (' (clean|strong)' if strong_view else '')
        cv2.putText(grid, text, (left + 4, 13),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.42, (0, 0, 0), 1,
                    cv2.LINE_AA)
    return grid
