"""Export the student of a distillation checkpoint as a plain MMPretrain
checkpoint (loadable by the student's own config; mmdeploy-ready).

    python tools/model_converters/distill2student.py SRC DST [--trust-source]

The teacher, the losses and distillation-only modules (AEKT's serialization
layer) are dropped. The output holds only tensors and strings
(``{'state_dict', 'meta'}``), so it loads with ``weights_only=True``.
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
import mmlogitkd  # noqa: E402,F401
import torch  # noqa: E402

from mmlogitkd.compat import safe_torch_load  # noqa: E402
from mmlogitkd.models.algorithms.export import student_state_dict  # noqa
from mmlogitkd.utils.hashing import file_sha256  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='checkpoint of a LogitDistiller run')
    parser.add_argument('dst', help='where to write the student checkpoint')
    parser.add_argument(
        '--trust-source', action='store_true',
        help='allow full unpickling of SRC (only for files you trust; runs '
        'of mmlogitkd write checkpoints that do not need it)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    checkpoint = safe_torch_load(
        args.src, map_location='cpu', allow_unsafe=args.trust_source or None)
    state = checkpoint.get('state_dict', checkpoint)
    student, dropped = student_state_dict(state)
    meta = dict(
        source=osp.abspath(args.src),
        source_sha256=file_sha256(args.src),
        converter='mmlogitkd tools/model_converters/distill2student.py',
        mmlogitkd_version=mmlogitkd.__version__)
    os.makedirs(osp.dirname(osp.abspath(args.dst)), exist_ok=True)
    torch.save({'state_dict': student, 'meta': meta}, args.dst)
    print(f'kept {len(student)} student tensors, dropped: '
          f'{", ".join(dropped) or "nothing"}')
    print(f'wrote {args.dst}\nsha256 {file_sha256(args.dst)}')


if __name__ == '__main__':
    main()
