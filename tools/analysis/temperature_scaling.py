"""Calibrate a trained student by temperature scaling (Guo et al., ICML 2017)
and export it with the temperature folded into its classifier.

    python tools/analysis/temperature_scaling.py CONFIG CHECKPOINT \\
        [--out student_calibrated.pth] [--work-dir DIR] [--fraction 0.1]
        [--seed 0] [--calibration-root DIR] [--max-samples N] [--no-test]
        [--cfg-options k=v ...] [--force]

CONFIG and CHECKPOINT are the training config and a checkpoint of its run
(distillation or plain classifier). One temperature is fitted on images
the run did not train on where there are some: the training split of
``--calibration-root`` (another data root of the same dataset, e.g. a draw
of the embedded dataset with another ``--seed``), else those the run left
out with ``train_dataloader.dataset.indices=N``; else on a seeded
``--fraction`` of the training split, reported as seen in training. Never
on the test set; the test set is only measured. The
student is exported as by ``tools/model_converters/distill2student.py``
(weights and config, ``--out``, default ``<checkpoint>_calibrated.pth``):
same predictions, calibrated confidences. ``temperature_scaling.json`` goes
into ``--work-dir`` (default: the checkpoint's folder, the run's work dir),
where ``tools/analysis/summarize_results.py`` reports ECE before and after.
See ``docs/calibration.md``.
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
import mmlogitkd  # noqa: E402,F401
from mmengine.config import DictAction  # noqa: E402

from mmlogitkd.evaluation.temperature_scaling import \
    calibrate_checkpoint  # noqa: E402
from mmlogitkd.utils.launch import load_config  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='the training config')
    parser.add_argument('checkpoint', help='a checkpoint of its run')
    parser.add_argument(
        '--out', help='the calibrated student (default: CHECKPOINT with '
        '_calibrated.pth); its config is written next to it')
    parser.add_argument(
        '--work-dir', help='write temperature_scaling.json here (default: '
        "the checkpoint's folder)")
    parser.add_argument(
        '--fraction', type=float, default=0.1,
        help='share of the training split to fit on when the run trained on '
        'all of it (default 0.1)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--calibration-root', help='fit on the training split of this data '
        'root instead: images held out of training (same dataset, another '
        'draw)')
    parser.add_argument(
        '--max-samples', type=int, help='fit on at most N images')
    parser.add_argument(
        '--num-bins', type=int, default=15, help='ECE bins (default 15)')
    parser.add_argument(
        '--no-test', action='store_true',
        help='do not measure the test set')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, e.g. data roots')
    parser.add_argument(
        '--force', action='store_true', help='overwrite existing outputs')
    return parser.parse_args(argv)


def _row(name, stats):
    return (f'| {name} | {stats.num_samples} | {100 * stats.top1:.2f} | '
            f'{100 * stats.ece_before:.2f} → {100 * stats.ece_after:.2f} | '
            f'{stats.nll_before:.4f} → {stats.nll_after:.4f} |')


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    out = args.out or osp.splitext(args.checkpoint)[0] + '_calibrated.pth'
    work_dir = args.work_dir or osp.dirname(osp.abspath(args.checkpoint))
    os.makedirs(work_dir, exist_ok=True)
    result = calibrate_checkpoint(
        cfg, args.checkpoint, out=out, fraction=args.fraction,
        seed=args.seed, num_bins=args.num_bins,
        evaluate_test=not args.no_test, work_dir=work_dir,
        max_samples=args.max_samples, overwrite=args.force,
        calibration_root=args.calibration_root)
    print(f'temperature {result.temperature:.4f}, fitted on '
          f'{result.calibration_split}')
    if result.seen_in_training:
        print('caution: the model trained on these images, so it is more '
              'confident on them than on new ones and the temperature comes '
              'out too low; hold images out of training with '
              '--cfg-options train_dataloader.dataset.indices=N (trains on '
              'the first N) and calibrate again.')
    print('\n| split | images | top-1 (%) | ECE (%) before → after | '
          'NLL before → after |\n|---|---:|---:|---|---|')
    print(_row('calibration (seen in training)' if result.seen_in_training
               else 'calibration (held out)', result.calibration))
    if result.test is not None:
        print(_row('test (not fitted on)', result.test))
    print(f'\nwrote {result.checkpoint} and {result.config}\nwrote '
          f'{osp.join(work_dir, "temperature_scaling.json")}')
    return result


if __name__ == '__main__':
    main()
