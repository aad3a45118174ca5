"""Export the student of a distillation checkpoint as a complete MMPretrain
model: its weights (class names in ``meta['dataset_meta']``) and a config
with its data preprocessor and a test pipeline for image files.

    python tools/model_converters/distill2student.py SRC DST [--config CFG]
        [--config-out PATH] [--test-images DIR] [--array-order rgb|bgr]
        [--force] [--trust-source]

    # then, with MMPretrain's own API (docs/inference.md):
    #   get_model('DST.py', pretrained='DST')
    #   ImageClassificationInferencer('DST.py', pretrained='DST')('img.png')
    #   python tools/test.py DST.py DST

SRC is a checkpoint of a LogitDistiller run (or of MMRazor's
``SingleTeacherDistill``, or of a plain classifier). The teacher, the losses
and distillation-only modules (AEKT's serialization layer) are dropped. The
training config is read from SRC (MMEngine stores it) unless ``--config``
names it. The config is written next to DST (``DST`` with ``.py``). Students
trained on the RGB arrays of the CIFAR datasets are exported for image files
(BGR, ``to_rgb=True``); their test data loader reads a folder written by
``tools/dataset_converters/cifar100_to_images.py`` (``--test-images``).

The checkpoint holds only tensors and strings, so it loads with
``weights_only=True``. Both files are written atomically; existing outputs
are only replaced with ``--force``, and DST may never be SRC (that would
destroy the run's resumable checkpoint).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
import mmlogitkd  # noqa: E402,F401

from mmlogitkd.checkpoint.export import export_student  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='checkpoint of a distillation run')
    parser.add_argument('dst', help='where to write the student checkpoint')
    parser.add_argument(
        '--config', help='the training config (default: the one stored in '
        'SRC)')
    parser.add_argument(
        '--config-out', help='where to write the student config (default: '
        'DST with .py)')
    parser.add_argument(
        '--test-images', help='data_root of the exported test data loader '
        '(an image folder written by '
        'tools/dataset_converters/cifar100_to_images.py); default: the '
        "training data_root + '_images'")
    parser.add_argument(
        '--array-order', choices=('rgb', 'bgr'),
        help='channel order of the arrays of an in-memory dataset other than '
        'CIFAR (whose arrays are RGB)')
    parser.add_argument(
        '--force', action='store_true',
        help='overwrite DST and its config if they exist')
    parser.add_argument(
        '--trust-source', action='store_true',
        help='allow full unpickling of SRC (only for files you trust; runs '
        'of mmlogitkd write checkpoints that do not need it)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    report = export_student(
        args.src, args.dst, config=args.config, config_out=args.config_out,
        array_order=args.array_order, test_images=args.test_images,
        overwrite=args.force, trust_source=args.trust_source,
        converter='mmlogitkd tools/model_converters/distill2student.py')
    print(f'kept {report.num_tensors} student tensors, dropped: '
          f'{", ".join(report.dropped) or "nothing"}')
    if not report.classes_found:
        print('note: SRC names no classes (meta.dataset_meta); predictions '
              'will have no class names')
    print(f'wrote {report.checkpoint}\nsha256 {report.sha256}')
    print(f'wrote {report.config}')
    return report


if __name__ == '__main__':
    main()
