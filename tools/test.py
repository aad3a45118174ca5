"""Evaluate a checkpoint on the config's test set (MMPretrain's flags).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE]
        [--cfg-options k=v ...] [--launcher none|pytorch|slurm|mpi]

For a distillation config the student is evaluated (the teacher was
evaluated once before training; see TeacherEvalHook). The checkpoint is
loaded strictly: every key and shape must match the config's model, and a
distillation checkpoint given to a classifier config (or the reverse) is
refused with the config or tool to use. A distillation checkpoint holds the
teacher's weights, so ``model.teacher_ckpt`` is not loaded (the original
teacher file need not exist any more).
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
import mmlogitkd  # noqa: E402,F401  (compat first)
from mmengine.evaluator import DumpResults  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from mmlogitkd.checkpoint import (load_weights_strictly,  # noqa: E402
                                  trust_checkpoint_path)
from mmlogitkd.utils.launch import (CfgOptionsAction,  # noqa: E402
                                    enable_amp, ensure_hooks,
                                    finish_launcher, load_config,
                                    setup_launcher, skip_teacher_checkpoint)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test a checkpoint')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save the metrics')
    parser.add_argument('--out', help='dump the predictions to a pickle')
    parser.add_argument(
        '--amp', action='store_true', help='mixed-precision inference')
    parser.add_argument(
        '--cfg-options', nargs='+', action=CfgOptionsAction,
        help='override config settings')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options, args.work_dir)
    if '://' not in args.checkpoint and not osp.isfile(args.checkpoint):
        raise FileNotFoundError(
            f'checkpoint "{args.checkpoint}" does not exist')
    # Loaded strictly below, not by the runner's non-strict load_from.
    cfg.load_from = None
    cfg.resume = False
    skip_teacher_checkpoint(cfg)
    ensure_hooks(cfg, ('InputCheckHook', ))
    # The user names this checkpoint explicitly.
    trust_checkpoint_path(args.checkpoint)
    if args.amp:
        enable_amp(cfg)
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(name) and cfg[name].get('num_workers', 0) == 0:
            cfg[name]['persistent_workers'] = False
    setup_launcher(cfg, args.launcher)
    runner = Runner.from_cfg(cfg)
    load_weights_strictly(runner.model, args.checkpoint, config=args.config)
    runner.logger.info(f'Loaded checkpoint {args.checkpoint} (strict: '
                       'every key and shape matches the model)')
    if args.out:
        runner.test_evaluator.metrics.append(
            DumpResults(out_file_path=args.out))
    metrics = runner.test()
    finish_launcher()
    return metrics


if __name__ == '__main__':
    main()
