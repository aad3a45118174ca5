"""Summarise training runs into a Markdown and a CSV results table.

One row per experiment (method, teacher → student pair, dataset, and the
rest of the config); runs that differ only in their seed are aggregated:
last-epoch and best-epoch top-1 as mean ± sample std, last-epoch ECE, the
teacher's top-1 and checkpoint SHA-256, per-GPU batch × GPU count, schedule
and wall time. The protocol is explained in ``docs/reporting.md``.

Example::

    python tools/analysis/summarize_results.py \\
        work_dirs/kd_r32x4_r8x4_seed0 work_dirs/kd_r32x4_r8x4_seed1 \\
        --out-dir work_dirs/report
    # or every run below a folder
    python tools/analysis/summarize_results.py work_dirs/bench
"""
import argparse
import os
import os.path as osp
import sys
from typing import List, Optional

import mmlogitkd  # noqa: F401  (compat first; configs import mmlogitkd)
from mmlogitkd.evaluation.reporting import (discover_work_dirs, read_run,
                                     summarize_runs, to_markdown, write_csv)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Summarise MMEngine work_dirs into a results table '
        '(mean ± std over seeds).')
    parser.add_argument(
        'work_dirs', nargs='+', metavar='WORK_DIR',
        help='work directories of runs, or folders that contain them')
    parser.add_argument(
        '--out-dir',
        help='write results.md and results.csv into this folder (the '
        'Markdown table is always printed)')
    parser.add_argument(
        '--include-unfinished', action='store_true',
        help='also aggregate runs that stopped before the end of their '
        'schedule (by default they are listed but not aggregated)')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> str:
    args = parse_args(argv)
    work_dirs = discover_work_dirs(args.work_dirs)
    runs = [read_run(work_dir) for work_dir in work_dirs]
    groups, skipped = summarize_runs(
        runs, include_unfinished=args.include_unfinished)
    markdown = to_markdown(groups, skipped)
    print(markdown)
    if args.out_dir:
        os.makedirs(args.out_dir, exist_ok=True)
        with open(osp.join(args.out_dir, 'results.md'), 'w') as f:
            f.write(markdown)
        write_csv(groups, osp.join(args.out_dir, 'results.csv'))
        print(f'Wrote {osp.join(args.out_dir, "results.md")} and '
              f'{osp.join(args.out_dir, "results.csv")}', file=sys.stderr)
    return markdown


if __name__ == '__main__':
    main()
