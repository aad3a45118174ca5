"""Train a classifier or distil a student (MMPretrain's flags and feel).

    python tools/train.py CONFIG [--work-dir DIR] [--resume [auto|PATH]]
        [--allow-resume-mismatch] [--amp] [--auto-scale-lr]
        [--cfg-options k=v ...] [--launcher none|pytorch|slurm|mpi]

``--resume`` alone continues from the latest checkpoint of the work dir and
fails when there is none (a typo in the work dir must not start a new run
silently); ``--resume auto`` starts from scratch in that case (for jobs that
are requeued); ``--resume PATH`` resumes from that file. The checkpoint must
belong to the run: ResumeCheckHook compares the model and method it was
written by with the config's and refuses a difference unless
``--allow-resume-mismatch`` is given (docs/troubleshooting.md).
"""
import argparse
import os
import os.path as osp
import sys

# mmlogitkd first: it makes MMRazor importable on torch>=2 and installs the
# safe checkpoint loader before MMEngine loads anything.
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
import mmlogitkd  # noqa: E402,F401
from mmengine.logging import print_log  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from mmlogitkd.utils.config_checks import (check_batch_size,  # noqa: E402
                                           check_views)
from mmlogitkd.utils.launch import (RESUME_AUTO,  # noqa: E402
                                    RESUME_LATEST, CfgOptionsAction,
                                    enable_amp, ensure_hooks,
                                    find_resume_checkpoint, finish_launcher,
                                    load_config,
                                    setup_launcher, trust_run_checkpoints)

#: The guard hooks every training run gets (configs/_base_/default_runtime.py
#: lists them; tools/train.py adds those a config lacks).
GUARD_HOOKS = ('ResumeCheckHook', 'LossGuardHook', 'InputCheckHook')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train or distil a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const=RESUME_LATEST,
        help='resume from the given checkpoint; with no value from the '
        'latest checkpoint of the work dir (an error if there is none); '
        'with "auto" from the latest one if any, else from scratch')
    parser.add_argument(
        '--allow-resume-mismatch',
        action='store_true',
        help='resume even if the checkpoint was written by another model or '
        'method than the config\'s (the differences are logged)')
    parser.add_argument(
        '--amp', action='store_true', help='mixed-precision training')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='do not validate during training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the lr by the actual total batch size against '
        'auto_scale_lr.base_batch_size')
    parser.add_argument(
        '--no-pin-memory',
        action='store_true',
        help='do not pin memory in the data loaders')
    parser.add_argument(
        '--no-persistent-workers',
        action='store_true',
        help='do not keep data loader workers alive between epochs')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        help='override config settings, e.g. model.ce_weight=0.1')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch.distributed.launch passes --local-rank (hyphen) since torch 2.0,
    # older launchers --local_rank: accept both (mmrazor#599).
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def merge_args(cfg, args):
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    if args.amp:
        enable_amp(cfg)
    requested = args.resume
    if requested is None and cfg.get('resume'):
        # resume=True in the config: MMEngine's meaning (load_from, or the
        # latest checkpoint if any), resolved inside the work dir too.
        requested = cfg.get('load_from') or RESUME_AUTO
    if requested is not None:
        resume_from = find_resume_checkpoint(cfg, requested)
        if resume_from is not None:
            cfg.resume = True
            cfg.load_from = resume_from
        else:  # --resume auto with nothing to resume
            cfg.resume = False
            print_log(f'--resume {RESUME_AUTO}: nothing to resume in '
                      f'{cfg.work_dir}; training from scratch.',
                      logger='current')
    ensure_hooks(cfg, GUARD_HOOKS)
    if args.allow_resume_mismatch:
        for hook in cfg.custom_hooks:
            if str(hook.get('type', '')).split('.')[-1] == 'ResumeCheckHook':
                hook['allow_mismatch'] = True
    if args.auto_scale_lr:
        cfg.setdefault('auto_scale_lr', {})
        cfg.auto_scale_lr.enable = True
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(name)
        if not loader:
            continue
        if args.no_pin_memory:
            loader['pin_memory'] = False
        if args.no_persistent_workers or loader.get('num_workers', 0) == 0:
            loader['persistent_workers'] = False
    return cfg


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options, args.work_dir)
    cfg = merge_args(cfg, args)
    check_views(cfg)
    check_batch_size(cfg)
    setup_launcher(cfg, args.launcher)
    trust_run_checkpoints(cfg)
    runner = Runner.from_cfg(cfg)
    runner.train()
    finish_launcher()


if __name__ == '__main__':
    main()
