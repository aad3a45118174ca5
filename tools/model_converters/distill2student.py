"""Export the student of a distillation checkpoint as a plain MMPretrain
checkpoint (loadable by the student's own config; mmdeploy-ready).

    python tools/model_converters/distill2student.py SRC DST [--force] \\
        [--trust-source]

The teacher, the losses and distillation-only modules (AEKT's serialization
layer) are dropped. The output holds only tensors and strings
(``{'state_dict', 'meta'}``), so it loads with ``weights_only=True``. It is
written atomically; an existing DST is only replaced with ``--force``, and
DST may never be SRC (that would destroy the run's resumable checkpoint).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
import mmlogitkd  # noqa: E402,F401

from mmlogitkd.checkpoint import (file_sha256, find_state_dict,  # noqa: E402
                                  load_checkpoint_file, save_checkpoint,
                                  student_state_dict)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='checkpoint of a LogitDistiller run')
    parser.add_argument('dst', help='where to write the student checkpoint')
    parser.add_argument(
        '--force', action='store_true', help='overwrite DST if it exists')
    parser.add_argument(
        '--trust-source', action='store_true',
        help='allow full unpickling of SRC (only for files you trust; runs '
        'of mmlogitkd write checkpoints that do not need it)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    checkpoint = load_checkpoint_file(
        args.src, allow_unsafe=args.trust_source or None)
    state, _ = find_state_dict(checkpoint, f'"{args.src}"')
    student, dropped = student_state_dict(state)
    meta = dict(
        source=osp.abspath(args.src),
        source_sha256=file_sha256(args.src),
        converter='mmlogitkd tools/model_converters/distill2student.py',
        mmlogitkd_version=mmlogitkd.__version__)
    save_checkpoint({'state_dict': student, 'meta': meta}, args.dst,
                    overwrite=args.force, source=args.src)
    print(f'kept {len(student)} student tensors, dropped: '
          f'{", ".join(dropped) or "nothing"}')
    print(f'wrote {args.dst}\nsha256 {file_sha256(args.dst)}')


if __name__ == '__main__':
    main()
