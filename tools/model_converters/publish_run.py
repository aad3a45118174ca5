"""Publish a finished run: its config, logged scalars and last weights, the
way the bench's shipped teacher is published (like an entry of MMPretrain's
model zoo; mmlogitkd/checkpoint/published.py says what the folder holds).

    python tools/model_converters/publish_run.py RUN_DIR OUT_DIR
        [--data-root PORTABLE_ROOT] [--force] [--trust-source]

    # e.g. the teacher of `make bench`, shipped for `make demo`:
    python tools/model_converters/publish_run.py work_dirs/bench/teacher \\
        checkpoints/embedded_cifar100/resnet20_120e \\
        --data-root data/embedded_cifar100_bench

The optimizer state is dropped; the checkpoint loads with
``weights_only=True`` and its SHA-256 is recorded in OUT_DIR/published.json,
which ``tools/analysis/run_bench.py --teacher OUT_DIR`` checks (with the
generator settings of the data) before using it. OUT_DIR is only replaced
with ``--force``.
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
import mmlogitkd  # noqa: E402,F401

from mmlogitkd.checkpoint import trust_checkpoint_path  # noqa: E402
from mmlogitkd.checkpoint.published import publish_run  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('run_dir', help='a finished tools/train.py work dir')
    parser.add_argument('out_dir', help='the folder to write')
    parser.add_argument(
        '--data-root', help='data root to write into the published config '
        '(relative to the repository, so it works in any clone); default: '
        "the run's")
    parser.add_argument('--force', action='store_true',
                        help='replace OUT_DIR if it exists')
    parser.add_argument(
        '--trust-source', action='store_true',
        help='allow full unpickling of the run\'s checkpoint (only for files '
        'you trust; runs of mmlogitkd write checkpoints that do not need it)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.trust_source:
        trust_checkpoint_path(args.run_dir)
    record = publish_run(args.run_dir, args.out_dir, data_root=args.data_root,
                         overwrite=args.force)
    print(json.dumps(record, indent=2, sort_keys=True))
    print(f'wrote {args.out_dir}')
    return record


if __name__ == '__main__':
    main()
