"""Write the embedded CIFAR-100-format dataset (no download needed).

Example::

    python tools/dataset_converters/generate_embedded_cifar100.py \\
        --out data/embedded_cifar100 --grid docs/embedded_samples.png

writes ``data/embedded_cifar100/cifar-100-python/{train,test,meta}`` (the
standard CIFAR-100 pickle files, read by ``LocalCIFAR100`` with
``data_root='data/embedded_cifar100'``) and ``generator.json``. When the
output already exists with the same settings nothing is regenerated. What
the images are: ``docs/embedded_dataset.md``.
"""
import argparse
import os
import os.path as osp
import time

import cv2

from mmlogitkd.datasets.generators.embedded_cifar100 import (  # noqa
    EmbeddedCIFAR100Settings, render_sample_grid, write_embedded_cifar100)


def strong_view():
    """The strong training view (batched transforms, fixed key) as a
    function of one uint8 HxWx3 RGB image."""
    import torch

    from mmlogitkd.models.data_preprocessors import (
        BatchRandAugmentFixMatch, BatchRandomCrop, BatchRandomFlip,
        KeyedRandom)
    transforms = [BatchRandomCrop(32, 4), BatchRandomFlip(0.5),
                  BatchRandAugmentFixMatch()]
    counter = [0]

    def apply(image):
        batch = torch.from_numpy(image).permute(2, 0, 1)[None].float()
        rng = KeyedRandom(0, 0, [counter[0]], 1)
        counter[0] += 1
        for transform in transforms:
            batch = transform(batch, rng)
        return batch[0].permute(1, 2, 0).byte().numpy()

    return apply


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Write the embedded CIFAR-100-format dataset.')
    parser.add_argument(
        '--out', default='data/embedded_cifar100',
        help='data root to write cifar-100-python/ into')
    parser.add_argument(
        '--train-per-class', type=int, default=100,
        help='training images per fine class (100 classes)')
    parser.add_argument(
        '--test-per-class', type=int, default=100,
        help='test images per fine class')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--fine-jitter', type=float, default=0.2,
        help='overlap of adjacent fine classes, in units of the spacing '
        'between their levels (higher = harder; calibrated: 0.2)')
    parser.add_argument(
        '--grid', default=None,
        help='also write a PNG overview (one row per superclass) here')
    parser.add_argument(
        '--grid-strong', action='store_true',
        help='show every grid sample next to a strong view (crop + flip + '
        'FixMatch RandAugment + Cutout)')
    parser.add_argument(
        '--overwrite', action='store_true',
        help='regenerate even if the output is up to date')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    settings = EmbeddedCIFAR100Settings(
        train_per_class=args.train_per_class,
        test_per_class=args.test_per_class,
        seed=args.seed,
        fine_jitter=args.fine_jitter)
    start = time.time()
    summary = write_embedded_cifar100(args.out, settings,
                                      overwrite=args.overwrite)
    described = (f'{summary["num_train"]} train / {summary["num_test"]} test '
                 f'images, 100 classes in 20 superclasses (seed '
                 f'{settings.seed}, fine_jitter {settings.fine_jitter})')
    if summary['skipped']:
        print(f'Up to date, not regenerated: {args.out} already holds '
              f'{described} (see {osp.join(args.out, "generator.json")}; '
              'use --overwrite to force).')
    else:
        print(f'Wrote {described} in {time.time() - start:.1f}s:')
        for path in summary['files']:
            print(f'  {path}')
    if args.grid:
        grid = render_sample_grid(
            settings, samples_per_class=1 if args.grid_strong else 2,
            strong_view=strong_view() if args.grid_strong else None)
        os.makedirs(osp.dirname(osp.abspath(args.grid)), exist_ok=True)
        # cv2 writes BGR; maximum compression keeps the PNG small.
        if not cv2.imwrite(args.grid, grid[..., ::-1],
                           [cv2.IMWRITE_PNG_COMPRESSION, 9]):
            raise SystemExit(f'could not write the sample grid {args.grid}')
        print(f'Wrote the sample grid {args.grid}')


if __name__ == '__main__':
    main()
