"""Write a CIFAR-100-format split as PNG files in MMPretrain's
``CustomDataset`` layout, to test exported students on image files.

    python tools/dataset_converters/cifar100_to_images.py DATA_ROOT \\
        [--out DIR] [--split test] [--limit N]

reads ``DATA_ROOT/cifar-100-python/<split>`` (the official files or the
embedded dataset) and writes::

    DIR/<split>/00000.png ...       one PNG per image, colours as stored
    DIR/meta/<split>.txt            "00000.png <label>" per line
    DIR/meta/classes.txt            the class names, one per line

``DIR`` defaults to ``DATA_ROOT`` + ``_images``, the ``data_root`` that
``tools/model_converters/distill2student.py`` writes into the exported
config, so ``python tools/test.py student.py student.pth`` evaluates the
student on the same images as the training config, read from files.
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
import mmlogitkd  # noqa: E402,F401
import mmcv  # noqa: E402

from mmlogitkd.datasets import LocalCIFAR100  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('data_root', help='folder holding cifar-100-python/')
    parser.add_argument('--out', help="default: DATA_ROOT + '_images'")
    parser.add_argument('--split', default='test', choices=('train', 'test'))
    parser.add_argument(
        '--limit', type=int, help='write only the first N images')
    return parser.parse_args(argv)


def write_images(data_root: str, out: str, split: str = 'test',
                 limit: int = None) -> int:
    """Write the images; returns how many."""
    dataset = LocalCIFAR100(data_root=data_root, split=split,
                            test_mode=True, lazy_init=False)
    count = len(dataset) if limit is None else min(limit, len(dataset))
    os.makedirs(osp.join(out, split), exist_ok=True)
    os.makedirs(osp.join(out, 'meta'), exist_ok=True)
    lines = []
    for index in range(count):
        info = dataset.get_data_info(index)
        name = f'{index:05d}.png'
        # CIFAR arrays are RGB; mmcv.imwrite (OpenCV) expects BGR.
        mmcv.imwrite(info['img'][..., ::-1], osp.join(out, split, name))
        lines.append(f'{name} {int(info["gt_label"])}')
    with open(osp.join(out, 'meta', f'{split}.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    with open(osp.join(out, 'meta', 'classes.txt'), 'w') as f:
        f.write('\n'.join(dataset.metainfo['classes']) + '\n')
    return count


def main(argv=None):
    args = parse_args(argv)
    out = args.out or args.data_root.rstrip('/') + '_images'
    count = write_images(args.data_root, out, args.split, args.limit)
    print(f'wrote {count} images to {osp.join(out, args.split)} and '
          f'{osp.join(out, "meta", args.split + ".txt")}')


if __name__ == '__main__':
    main()
