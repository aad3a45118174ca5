"""Plot training curves from MMEngine's logs, one run or several overlaid.

Reads ``<work_dir>/<timestamp>/vis_data/scalars.json`` of every session
(resumed runs included) and draws one subplot per key. Training scalars
(losses, ``lr``) are placed at fractional epochs so they share the x axis of
the validation metrics.

Example::

    python tools/analysis/plot_curves.py \\
        work_dirs/kd_seed0 work_dirs/dkd_seed0 \\
        --keys loss loss_kd lr accuracy/top1 calibration/ece --out curves.png
"""
import argparse
import os.path as osp
from typing import List, Optional

from mmlogitkd.evaluation.plots import plot_curves
from mmlogitkd.evaluation.reporting import (default_curve_keys, discover_work_dirs,
                                     load_history, training_curves)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Training curves of MMEngine runs to a PNG.')
    parser.add_argument(
        'work_dirs', nargs='+', metavar='WORK_DIR',
        help='work directories of runs, or folders that contain them')
    parser.add_argument(
        '--keys', nargs='+',
        help='scalars to plot, one subplot each (default: every loss term, '
        'lr and accuracy/top1)')
    parser.add_argument(
        '--out', help='PNG to write (default: <first WORK_DIR>/curves.png)')
    parser.add_argument('--title', help='title of the figure')
    return parser.parse_args(argv)


def run_names(work_dirs: List[str]) -> List[str]:
    """Folder names, or longer paths where the folder names collide."""
    names = [osp.basename(osp.normpath(d)) for d in work_dirs]
    if len(set(names)) == len(names):
        return names
    common = osp.commonpath([osp.abspath(d) for d in work_dirs])
    return [osp.relpath(osp.abspath(d), common) for d in work_dirs]


def main(argv: Optional[List[str]] = None) -> str:
    args = parse_args(argv)
    work_dirs = discover_work_dirs(args.work_dirs)
    histories = [load_history(d) for d in work_dirs]
    keys = args.keys or default_curve_keys(histories)
    curves, x_labels = {}, {}
    for name, history in zip(run_names(work_dirs), histories):
        curves[name], labels = training_curves(history, keys)
        x_labels.update(labels)
    out = args.out or osp.join(work_dirs[0], 'curves.png')
    plot_curves(curves, keys, out, x_label=x_labels, title=args.title)
    print(f'Wrote {out}')
    return out


if __name__ == '__main__':
    main()
