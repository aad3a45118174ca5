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
        '--test-per-class', type=int, default=50,
        help='test images per fine class')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--fine-jitter', type=float, default=0.3,
        help='std of the jitter on the fine attribute, in units of the '
        'spacing between adjacent fine classes (higher = harder)')
    parser.add_argument(
        '--grid', default=None,
        help='also write a PNG overview (one row per superclass) here')
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
        grid = render_sample_grid(settings)
        os.makedirs(osp.dirname(osp.abspath(args.grid)), exist_ok=True)
        # cv2 writes BGR; maximum compression keeps the PNG small.
        if not cv2.imwrite(args.grid, grid[..., ::-1],
                           [cv2.IMWRITE_PNG_COMPRESSION, 9]):
            raise SystemExit(f'could not write the sample grid {args.grid}')
        print(f'Wrote the sample grid {args.grid}')


if __name__ == '__main__':
    main()
