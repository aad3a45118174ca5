"""The embedded dataset: a procedurally drawn, CIFAR-100-format task.

Nothing can be downloaded on our test machines, yet a first run should show
distillation working. This module draws 100 classes of 32×32 RGB images in 20
superclasses and writes them as the standard ``cifar-100-python/{train,test,
meta}`` pickle files, so :class:`~mmlogitkd.datasets.LocalCIFAR100` (or any
CIFAR-100 reader) loads them unchanged.

What the images are:

* **Superclass = shape family** (20): circle, ring, ellipse, square, triangle,
  diamond, hexagon, star, plus, x-cross, arrow, crescent, heart, T-shape,
  arc, spiral, zig-zag, stripes, checker, target. Shapes are drawn with
  OpenCV as anti-aliased polygons/polylines on a 64×64 canvas and
  area-downsampled to 32×32.
* **Fine class = one of 5 levels along the superclass's fine axis**: hue
  (36° steps over a 144° span), stroke thickness (2–10 px on the 64 px
  canvas), number of instances (1–5), fill texture (solid, two-tone,
  stripes, checker, dots) or aspect ratio (1.0–2.7). Every axis serves four
  superclasses. Adjacent levels look alike, so a confident teacher still
  puts probability on the neighbours: the "dark knowledge" a student can
  use. A Gaussian jitter on the continuous axes (``fine_jitter``, in units of
  the level spacing) makes adjacent classes overlap a little and sets the
  difficulty; for textures it lowers the contrast of the pattern.
* **Nuisances**: position, scale, rotation (limited where it would change
  the superclass, e.g. plus vs. x-cross), solid or gradient background,
  clutter lines and dots, pixel noise.

Determinism: image ``i`` of a split is drawn from its own generator seeded by
``(seed, split, i)``, so the files are byte-identical for the same settings,
whatever the machine or the order in which images are drawn.

The recipe (not the code) follows ``docs/embedded_dataset.md`` of this
project, which also lists the measured difficulty.
"""
import colorsys
import dataclasses
import json
import os
import os.path as osp
import pickle
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

#: Bump when the drawing changes, so existing outputs are regenerated.
GENERATOR_VERSION = 2
#: Images are drawn at this size, then area-downsampled to ``IMAGE_SIZE``.
CANVAS_SIZE = 64
IMAGE_SIZE = 32
NUM_LEVELS = 5
#: Folder and file names of the standard CIFAR-100 python archive.
BASE_FOLDER = 'cifar-100-python'
SPLIT_FILES = ('train', 'test', 'meta')
#: Written next to the data files; describes how they were generated.
GENERATOR_FILE = 'generator.json'

#: (superclass, fine axis, maximum absolute rotation in degrees). Rotation is
#: limited where a large one would turn one family into another (plus into
#: x-cross, square into diamond) or make the fine attribute ambiguous.
SUPERCLASSES: Tuple[Tuple[str, str, float], ...] = (
    ('circle', 'hue', 0.0),
    ('ring', 'thickness', 0.0),
    ('ellipse', 'count', 180.0),
    ('square', 'texture', 15.0),
    ('triangle', 'aspect', 25.0),
    ('diamond', 'texture', 10.0),
    ('hexagon', 'texture', 30.0),
    ('star', 'hue', 36.0),
    ('plus', 'count', 15.0),
    ('xcross', 'count', 15.0),
    ('arrow', 'aspect', 180.0),
    ('crescent', 'count', 180.0),
    ('heart', 'texture', 20.0),
    ('tshape', 'aspect', 30.0),
    ('arc', 'thickness', 180.0),
    ('spiral', 'thickness', 180.0),
    ('zigzag', 'thickness', 30.0),
    ('stripes', 'aspect', 90.0),
    ('checker', 'hue', 20.0),
    ('target', 'hue', 0.0),
)

#: Names of the five levels of every fine axis (used in class names).
FINE_LEVEL_NAMES: Dict[str, Tuple[str, ...]] = {
    'hue': tuple(f'hue{k}' for k in range(NUM_LEVELS)),
    'thickness': tuple(f'thick{k}' for k in range(NUM_LEVELS)),
    'count': tuple(f'count{k + 1}' for k in range(NUM_LEVELS)),
    'texture': ('solid', 'twotone', 'stripes', 'checker', 'dots'),
    'aspect': tuple(f'aspect{k}' for k in range(NUM_LEVELS)),
}

# Fine-axis geometry. Level k of a continuous axis sits at
# ``START + k * STEP``; the jitter is ``N(0, fine_jitter * STEP)``.
HUE_STEP_DEG = 36.0
THICKNESS_START_PX, THICKNESS_STEP_PX = 2.0, 2.0  # on the 64 px canvas
ASPECT_START, ASPECT_STEP = 1.0, 0.425  # 1.0 ... 2.7
#: First hue (degrees) of each hue-axis superclass; each spans 144°.
HUE_BASE_DEG = {'circle': 0.0, 'star': 90.0, 'checker': 180.0,
                'target': 270.0}


@dataclasses.dataclass(frozen=True)
class EmbeddedCIFAR100Settings:
    """Everything that determines the generated files.

    Args:
        train_per_class (int): Training images per fine class.
        test_per_class (int): Test images per fine class.
        seed (int): Seed of every random draw.
        fine_jitter (float): Standard deviation of the jitter on the fine
            attribute, in units of the spacing between adjacent levels
            (hue 36°, thickness 2 px, aspect 0.425). Larger values make
            adjacent fine classes overlap more (a harder task).
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
        if self.fine_jitter < 0:
            raise ValueError(
                f'fine_jitter must be >= 0, got {self.fine_jitter}')

    def to_dict(self) -> dict:
        return dict(dataclasses.asdict(self),
                    generator_version=GENERATOR_VERSION)


def fine_class_names() -> List[str]:
    """The 100 fine class names, e.g. ``circle_hue0`` or ``square_dots``,
    ordered by fine label (superclass-major)."""
    return [f'{name}_{level}' for name, axis, _ in SUPERCLASSES
            for level in FINE_LEVEL_NAMES[axis]]


def coarse_class_names() -> List[str]:
    """The 20 superclass names ordered by coarse label."""
    return [name for name, _, _ in SUPERCLASSES]


# --------------------------------------------------------------------------
# Shape outlines in unit coordinates (about [-1, 1]², y pointing down).
# A shape is a list of parts ``(mode, points, closed)``; mode is 'fill',
# 'stroke' or 'erase' (fill with background, used for the crescent).
# --------------------------------------------------------------------------
Part = Tuple[str, np.ndarray, bool]


def _ellipse_points(rx: float, ry: float, cx: float = 0.0, cy: float = 0.0,
                    start: float = 0.0, stop: float = 2 * np.pi,
                    num: int = 48) -> np.ndarray:
    closed = np.isclose(stop - start, 2 * np.pi)
    angles = np.linspace(start, stop, num, endpoint=not closed)
    return np.stack([cx + rx * np.cos(angles), cy + ry * np.sin(angles)], 1)


def _regular_polygon(sides: int, phase: float) -> np.ndarray:
    angles = phase + 2 * np.pi * np.arange(sides) / sides
    return np.stack([np.cos(angles), np.sin(angles)], 1)


def _rectangle(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)


def _star() -> np.ndarray:
    angles = -np.pi / 2 + np.pi * np.arange(10) / 5
    radii = np.where(np.arange(10) % 2 == 0, 1.0, 0.42)
    return np.stack([radii * np.cos(angles), radii * np.sin(angles)], 1)


def _plus(half_width: float = 0.3) -> np.ndarray:
    a, w = 1.0, half_width
    return np.array([[-w, -a], [w, -a], [w, -w], [a, -w], [a, w], [w, w],
                     [w, a], [-w, a], [-w, w], [-a, w], [-a, -w], [-w, -w]])


def _rotate(points: np.ndarray, degrees: float) -> np.ndarray:
    t = np.deg2rad(degrees)
    rotation = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    return points @ rotation.T


def _heart() -> np.ndarray:
    t = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    x = 16 * np.sin(t)**3
    y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) -
          np.cos(4 * t))
    return np.stack([x / 17.0, (y + 2.5) / 17.0], 1)


def _shape_parts(name: str) -> List[Part]:
    """The outline of one shape family in unit coordinates."""
    if name == 'circle':
        return [('fill', _ellipse_points(1, 1), True)]
    if name == 'ring':
        return [('stroke', _ellipse_points(0.9, 0.9), True)]
    if name == 'ellipse':
        return [('fill', _ellipse_points(1, 0.5), True)]
    if name == 'square':
        return [('fill', _rectangle(-0.8, -0.8, 0.8, 0.8), True)]
    if name == 'triangle':
        return [('fill', np.array([[0, -0.9], [1, 0.8], [-1, 0.8]]), True)]
    if name == 'diamond':
        return [('fill', np.array([[0, -1], [0.6, 0], [0, 1], [-0.6, 0]]),
                 True)]
    if name == 'hexagon':
        return [('fill', _regular_polygon(6, 0.0), True)]
    if name == 'star':
        return [('fill', _star(), True)]
    if name == 'plus':
        return [('fill', _plus(), True)]
    if name == 'xcross':
        return [('fill', _rotate(_plus(0.26), 45.0), True)]
    if name == 'arrow':
        return [('fill', np.array([[-1, -0.2], [0.15, -0.2], [0.15, -0.6],
                                   [1, 0], [0.15, 0.6], [0.15, 0.2],
                                   [-1, 0.2]]), True)]
    if name == 'crescent':
        return [('fill', _ellipse_points(1, 1), True),
                ('erase', _ellipse_points(0.85, 0.85, 0.5, -0.15), True)]
    if name == 'heart':
        return [('fill', _heart(), True)]
    if name == 'tshape':
        return [('fill', np.array([[-1, -1], [1, -1], [1, -0.55],
                                   [0.22, -0.55], [0.22, 1], [-0.22, 1],
                                   [-0.22, -0.55], [-1, -0.55]]), True)]
    if name == 'arc':
        return [('stroke', _ellipse_points(0.9, 0.9, 0, 0, 0.2 * np.pi,
                                           1.3 * np.pi, 24), False)]
    if name == 'spiral':
        t = np.linspace(0, 1, 60)
        radius, angle = 0.12 + 0.88 * t, 3.4 * np.pi * t
        return [('stroke', np.stack([radius * np.cos(angle),
                                     radius * np.sin(angle)], 1), False)]
    if name == 'zigzag':
        x = np.linspace(-1, 1, 7)
        y = np.where(np.arange(7) % 2 == 0, -0.5, 0.5)
        return [('stroke', np.stack([x, y], 1), False)]
    if name == 'stripes':
        return [('fill', _rectangle(-1, y0, 1, y0 + 0.3), True)
                for y0 in (-1.0, -0.43, 0.13, 0.7)]
    if name == 'checker':
        cells = []
        for row in range(4):
            for col in range(4):
                if (row + col) % 2 == 0:
                    x0, y0 = -1 + col * 0.5, -1 + row * 0.5
                    cells.append(('fill', _rectangle(x0, y0, x0 + 0.5,
                                                     y0 + 0.5), True))
        return cells
    if name == 'target':
        return [('stroke', _ellipse_points(0.9, 0.9), True),
                ('stroke', _ellipse_points(0.55, 0.55), True),
                ('fill', _ellipse_points(0.22, 0.22), True)]
    raise KeyError(f'unknown shape family {name!r}')


# --------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------
_SUBPIXEL_BITS = 4  # OpenCV fixed-point coordinates: 1/16 px precision


def _hsv_to_rgb(hue_deg: float, sat: float, val: float) -> np.ndarray:
    rgb = colorsys.hsv_to_rgb((hue_deg % 360.0) / 360.0, sat, val)
    return np.array(rgb, dtype=np.float32) * 255.0


def _draw_parts(mask: np.ndarray, parts: Sequence[Part], center: np.ndarray,
                linear: np.ndarray, stroke_px: int) -> None:
    """Rasterise ``parts`` into ``mask`` (uint8, 255 = shape) after mapping
    unit coordinates through ``linear`` (2×2) and ``center`` (pixels)."""
    scale = 1 << _SUBPIXEL_BITS
    for mode, points, closed in parts:
        pixels = points @ linear.T + center
        fixed = np.round(pixels * scale).astype(np.int32).reshape(-1, 1, 2)
        value = 0 if mode == 'erase' else 255
        if mode == 'stroke':
            cv2.polylines(mask, [fixed], closed, value, int(stroke_px),
                          cv2.LINE_AA, _SUBPIXEL_BITS)
        else:
            cv2.fillPoly(mask, [fixed], value, cv2.LINE_AA, _SUBPIXEL_BITS)


def _background(rng: np.random.Generator, dark: bool) -> np.ndarray:
    """A solid or linear-gradient background of low saturation."""
    size = CANVAS_SIZE

    def colour():
        value = rng.uniform(0.05, 0.4) if dark else rng.uniform(0.7, 1.0)
        return _hsv_to_rgb(rng.uniform(0, 360), rng.uniform(0, 0.3), value)

    start = colour()
    if rng.random() < 0.5:
        return np.broadcast_to(start, (size, size, 3)).copy()
    stop = colour()
    direction = rng.uniform(0, 2 * np.pi)
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32) / (size - 1)
    ramp = (xs - 0.5) * np.cos(direction) + (ys - 0.5) * np.sin(direction)
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    return start + ramp[..., None] * (stop - start)


def _add_clutter(canvas: np.ndarray, rng: np.random.Generator) -> None:
    """A few thin lines and small dots in random colours, drawn before the
    shape so the shape covers them."""
    size = CANVAS_SIZE
    for _ in range(rng.integers(0, 2)):
        p0, p1 = rng.uniform(0, size, 2), rng.uniform(0, size, 2)
        colour = _hsv_to_rgb(rng.uniform(0, 360), rng.uniform(0, 0.6),
                             rng.uniform(0.2, 1.0)).tolist()
        cv2.line(canvas, tuple(int(v) for v in p0),
                 tuple(int(v) for v in p1), colour, 1, cv2.LINE_AA)
    for _ in range(rng.integers(0, 3)):
        centre = tuple(int(v) for v in rng.uniform(0, size, 2))
        colour = _hsv_to_rgb(rng.uniform(0, 360), rng.uniform(0, 0.6),
                             rng.uniform(0.2, 1.0)).tolist()
        cv2.circle(canvas, centre, int(rng.integers(1, 3)), colour, -1,
                   cv2.LINE_AA)


def _texture_paint(level: int, rng: np.random.Generator, center: np.ndarray,
                   angle_deg: float, colour: np.ndarray, dark_bg: bool,
                   fine_jitter: float) -> np.ndarray:
    """A 64×64×3 paint image holding the fill texture of ``level`` in the
    shape's own frame (so the pattern turns with the shape)."""
    size = CANVAS_SIZE
    # Second colour: the first one lighter or darker. The jitter lowers the
    # lower bound of the contrast, so patterns can fade towards "solid".
    low = max(0.08, 0.4 - 0.5 * fine_jitter)
    contrast = rng.uniform(low, 0.6)
    # Darker on a dark background (the shape is bright), lighter on a light
    # one (the shape is mid-tone), so the pattern stays visible.
    second = (colour * (1.0 - contrast) if dark_bg else
              colour + (255.0 - colour) * contrast)
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
    t = np.deg2rad(angle_deg)
    u = (xs - center[0]) * np.cos(t) + (ys - center[1]) * np.sin(t)
    v = -(xs - center[0]) * np.sin(t) + (ys - center[1]) * np.cos(t)
    period = rng.uniform(9.0, 13.0)
    name = FINE_LEVEL_NAMES['texture'][level]
    if name == 'solid':
        pattern = np.zeros_like(u, dtype=bool)
    elif name == 'twotone':
        pattern = v > rng.uniform(-3.0, 3.0)
    elif name == 'stripes':
        pattern = np.mod(u / period, 1.0) < 0.5
    elif name == 'checker':
        pattern = (np.floor(u / period) + np.floor(v / period)) % 2 == 0
    else:  # dots
        du = np.mod(u, period) - period / 2
        dv = np.mod(v, period) - period / 2
        pattern = du * du + dv * dv < (0.3 * period)**2
    return np.where(pattern[..., None], second, colour).astype(np.float32)


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
    name, axis, max_rotation = SUPERCLASSES[fine_label // NUM_LEVELS]
    level = fine_label % NUM_LEVELS
    size = CANVAS_SIZE

    dark_bg = bool(rng.random() < 0.5)
    canvas = np.ascontiguousarray(_background(rng, dark_bg), np.float32)
    _add_clutter(canvas, rng)

    # Foreground colour: saturated, brighter than a dark background or
    # darker than a light one. A hue-axis class fixes the hue.
    if axis == 'hue':
        hue = HUE_BASE_DEG[name] + HUE_STEP_DEG * (
            level + rng.normal(0.0, fine_jitter))
    else:
        hue = rng.uniform(0, 360)
    value = rng.uniform(0.7, 1.0) if dark_bg else rng.uniform(0.4, 0.75)
    colour = _hsv_to_rgb(hue, rng.uniform(0.6, 1.0), value)

    # Stroke width (64 px canvas) and aspect ratio of this image.
    def jittered(start, step):
        return start + step * (level + rng.normal(0.0, fine_jitter))

    if axis == 'thickness':
        stroke = jittered(THICKNESS_START_PX, THICKNESS_STEP_PX)
    else:
        stroke = rng.uniform(3.0, 5.0)
    stroke_px = int(np.clip(np.round(stroke), 1, 14))
    aspect = (max(0.8, jittered(ASPECT_START, ASPECT_STEP))
              if axis == 'aspect' else 1.0)

    parts = _shape_parts(name)
    mask = np.zeros((size, size), np.uint8)
    if axis == 'count':
        # Instances in distinct cells of a 3×3 grid, each a little jittered.
        count = level + 1
        cells = rng.permutation(9)[:count]
        cell = size / 3.0
        for index in cells:
            centre = (np.array([index % 3, index // 3]) + 0.5) * cell
            centre = centre + rng.uniform(-0.12, 0.12, 2) * cell
            radius = cell * rng.uniform(0.38, 0.46)
            angle = rng.uniform(-max_rotation, max_rotation)
            linear = _rotate(np.eye(2) * radius, angle)
            _draw_parts(mask, parts, centre, linear, stroke_px)
        angle, centre = 0.0, np.array([size / 2, size / 2])
    else:
        radius = rng.uniform(0.34, 0.44) * size
        angle = rng.uniform(-max_rotation, max_rotation)
        margin = radius * 0.85
        centre = rng.uniform(margin, size - margin, 2)
        # Elongate along x (the long side keeps the radius), then rotate.
        linear = _rotate(np.diag([radius, radius / aspect]), angle)
        _draw_parts(mask, parts, centre, linear, stroke_px)

    if axis == 'texture':
        paint = _texture_paint(level, rng, centre, angle, colour, dark_bg,
                               fine_jitter)
    else:
        paint = colour
    alpha = mask.astype(np.float32)[..., None] / 255.0
    canvas = canvas * (1.0 - alpha) + paint * alpha

    small = cv2.resize(canvas, (IMAGE_SIZE, IMAGE_SIZE),
                       interpolation=cv2.INTER_AREA)
    small += rng.normal(0.0, rng.uniform(1.5, 5.0), small.shape)
    return np.clip(np.round(small), 0, 255).astype(np.uint8)


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


def render_sample_grid(settings: EmbeddedCIFAR100Settings,
                       samples_per_class: int = 2,
                       zoom: int = 2) -> np.ndarray:
    """A labelled overview image: one row per superclass, its five fine
    classes left to right (``samples_per_class`` images each).

    Images are drawn with the training split's seeds of ``settings``, but
    independently of the files (the first images of each class are not
    needed).

    Returns:
        np.ndarray: uint8 RGB image.
    """
    cell = IMAGE_SIZE * zoom
    gap = 2
    label_width = 150
    header = 18
    columns = NUM_LEVELS * samples_per_class
    height = header + len(SUPERCLASSES) * (cell + gap)
    width = label_width + columns * (cell + gap) + gap * NUM_LEVELS
    grid = np.full((height, width, 3), 255, np.uint8)
    for row, (name, axis, _) in enumerate(SUPERCLASSES):
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
                image = cv2.resize(image, (cell, cell),
                                   interpolation=cv2.INTER_NEAREST)
                left = (label_width + gap * level +
                        (level * samples_per_class + sample) * (cell + gap))
                grid[top:top + cell, left:left + cell] = image
    for level in range(NUM_LEVELS):
        left = label_width + gap * level + level * samples_per_class * (
            cell + gap)
        cv2.putText(grid, f'level {level}', (left + 4, 13),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.42, (0, 0, 0), 1,
                    cv2.LINE_AA)
    return grid
