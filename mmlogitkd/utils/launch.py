"""What ``tools/train.py`` and ``tools/test.py`` share: config loading,
``--cfg-options`` parsing, finding the checkpoint to resume, the guard hooks
every run gets, and the distributed set-up that also works on CPU-only
machines.

MMEngine 0.10.7's ``_init_dist_pytorch`` always calls
``torch.cuda.set_device`` (fails without a GPU) and its default DDP wrapper
passes ``device_ids=[LOCAL_RANK]`` (a ``ValueError`` for CPU modules);
docs/supported_versions.md#distributed-training-on-cpu-gloo. Without CUDA we
therefore initialise a gloo process group
before the Runner exists (``Runner.setup_env`` then skips ``init_dist``) and
set ``device_ids=None``.
"""
import difflib
import glob
import os
import os.path as osp
import re
import warnings
from typing import Optional, Sequence

import torch
import torch.distributed as dist
from mmengine.config import Config, DictAction

from mmlogitkd.checkpoint import trust_checkpoint_path

#: ``--resume`` without a value: the latest checkpoint of the work dir, which
#: must exist (``--resume auto`` also accepts that there is none).
RESUME_LATEST = 'latest'
RESUME_AUTO = 'auto'
#: Old MMCV-style keys that MMEngine configs spell differently.
_RENAMED_KEYS = {'optimizer': 'optim_wrapper.optimizer',
                 'lr_config': 'param_scheduler',
                 'runner': 'train_cfg',
                 'checkpoint_config': 'default_hooks.checkpoint',
                 'log_config': 'default_hooks.logger'}


class CfgOptionsAction(DictAction):
    """MMEngine's ``DictAction`` that keeps SHA-256 values as written.

    ``DictAction`` turns every value that parses as a number into one, so an
    all-digit hash (or one like ``123e45...``) became an int or a float and
    lost its leading zeros. Values of keys whose last part ends in
    ``sha256`` (``model.teacher_ckpt_sha256``) stay strings.
    """

    def __call__(self, parser, namespace, values, option_string=None):
        super().__call__(parser, namespace, values, option_string)
        options = getattr(namespace, self.dest)
        for item in values or []:
            key, value = item.split('=', maxsplit=1)
            if key.rsplit('.', 1)[-1].endswith('sha256') and \
                    value not in ('None', ''):
                options[key] = value.strip('\'"')


#: The data loaders of an MMPretrain config that read the dataset.
DATALOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def dataloader_options(data_root: str, workers: int) -> list:
    """``--cfg-options`` that point every data loader of a config at
    ``data_root`` and give each ``workers`` loading processes (0: load in
    the training process, persistent workers only when there are some).

    Args:
        data_root (str): the dataset folder.
        workers (int): ``num_workers`` of each loader.

    Returns:
        list: ``key=value`` strings for ``tools/train.py --cfg-options``.

    Examples:
        >>> dataloader_options('data/x', 0)[:3]
        ['train_dataloader.dataset.data_root=data/x', \
'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False']
    """
    if workers < 0:
        raise ValueError(f'workers must be >= 0, got {workers}.')
    return [f'{loader}.{key}={value}'
            for loader in DATALOADERS
            for key, value in (('dataset.data_root', data_root),
                               ('num_workers', workers),
                               ('persistent_workers', workers > 0))]


def warn_unknown_options(cfg: Config, cfg_options: dict) -> None:
    """Warn about ``--cfg-options`` that create a new top-level entry: no
    runner reads such a key (``optimizer.lr=0.1`` is MMCV 1.x spelling; the
    MMEngine key is ``optim_wrapper.optimizer.lr``), so the option would be
    ignored without a word."""
    for key in cfg_options or {}:
        top = key.split('.', 1)[0]
        if top in cfg:
            continue
        hint = _RENAMED_KEYS.get(top)
        if hint is None:
            close = difflib.get_close_matches(top, list(cfg.keys()), n=1)
            hint = close[0] if close else None
        warnings.warn(
            f'--cfg-options {key}: the config has no "{top}" entry, so this '
            'adds a new one that nothing may read'
            + (f' (did you mean {hint}{key[len(top):]}?)' if hint else '')
            + '.', stacklevel=2)


def load_config(config: str, cfg_options=None, work_dir=None) -> Config:
    """Load ``config``, apply ``--cfg-options`` and resolve ``work_dir``
    (``./work_dirs/<config name>`` by default, as in MMPretrain)."""
    if not osp.isfile(config):
        raise FileNotFoundError(f'config file not found: {config}')
    cfg = Config.fromfile(config)
    if cfg_options:
        warn_unknown_options(cfg, cfg_options)
        cfg.merge_from_dict(cfg_options)
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(config))[0])
    return cfg


def trust_run_checkpoints(cfg: Config) -> None:
    """Checkpoints of the user's own runs may need full unpickling: the
    run's work_dir and explicitly requested resume/load_from files."""
    trust_checkpoint_path(cfg.work_dir)
    if isinstance(cfg.get('resume'), str):
        trust_checkpoint_path(cfg.resume)
    if cfg.get('load_from'):
        trust_checkpoint_path(cfg.load_from)


def ensure_hooks(cfg: Config, names: Sequence[str]) -> None:
    """Append the mmlogitkd hooks ``names`` to ``custom_hooks`` unless the
    config lists them already (with its own arguments): the guards of
    :mod:`mmlogitkd.engine.hooks` hold for every run of the tools, also of
    configs that do not inherit ``configs/_base_/default_runtime.py``."""
    hooks = list(cfg.get('custom_hooks') or [])
    present = {(str(h.get('type')) if isinstance(h, dict) else
                type(h).__name__).split('.')[-1] for h in hooks}
    for name in names:
        if name not in present:
            hooks.append(dict(type=f'mmlogitkd.{name}'))
    cfg.custom_hooks = hooks


def is_distillation_config(cfg: Config) -> bool:
    """Whether ``cfg.model`` is a LogitDistiller."""
    model_type = str((cfg.get('model') or {}).get('type', ''))
    return model_type.split('.')[-1] == 'LogitDistiller'


def skip_teacher_checkpoint(cfg: Config) -> None:
    """Do not load ``model.teacher_ckpt`` (testing: the distillation
    checkpoint holds the teacher's weights and overrides them anyway, so the
    original teacher file need not exist)."""
    if not is_distillation_config(cfg):
        return
    for key in ('teacher_ckpt', 'teacher_ckpt_sha256', 'teacher_ckpt_prefix'):
        if key in cfg.model:
            cfg.model[key] = None


def checkpoint_dir(cfg: Config) -> str:
    """Where ``CheckpointHook`` writes this run's checkpoints: the work dir,
    or ``<out_dir>/<work dir name>`` when ``default_hooks.checkpoint.out_dir``
    is set (MMEngine's rule)."""
    work_dir = osp.abspath(cfg.work_dir)
    out_dir = ((cfg.get('default_hooks') or {}).get('checkpoint') or {}) \
        .get('out_dir')
    if not out_dir or osp.abspath(out_dir) == work_dir:
        return work_dir
    return osp.join(out_dir, osp.basename(work_dir.rstrip(os.sep)))


def _numbered_checkpoints(folder: str):
    found = []
    for path in glob.glob(osp.join(folder, '*.pth')):
        match = re.fullmatch(r'(epoch|iter)_(\d+)\.pth', osp.basename(path))
        if match:
            found.append((match.group(1), int(match.group(2)), path))
    return found


def find_resume_checkpoint(cfg: Config, requested: str) -> Optional[str]:
    """The checkpoint ``--resume`` means, inside this run's own directory.

    ``requested`` is a path, :data:`RESUME_LATEST` (``--resume`` alone: the
    latest checkpoint, which must exist) or :data:`RESUME_AUTO` (the latest
    if there is one, else None: start from scratch).

    The latest checkpoint is the one ``<work_dir>/last_checkpoint`` names,
    taken from this run's checkpoint folder: MMEngine writes an absolute
    path there, so a copied work dir would resume from the original's file
    and a moved one could not resume at all. Without ``last_checkpoint``
    (or with an empty one) the highest-numbered ``epoch_N.pth``/
    ``iter_N.pth`` is used.

    Raises:
        FileNotFoundError: a given path does not exist; ``--resume`` found
            nothing to resume (the message names the work dir); or
            ``last_checkpoint`` names a file of another directory that this
            one has no copy of.
    """
    if requested not in (RESUME_LATEST, RESUME_AUTO):
        if '://' not in requested and not osp.isfile(requested):
            raise FileNotFoundError(
                f'--resume {requested}: no such checkpoint file')
        return requested
    work_dir = osp.abspath(cfg.work_dir)
    folder = checkpoint_dir(cfg)
    record = osp.join(work_dir, 'last_checkpoint')
    named = ''
    if osp.isfile(record):
        with open(record) as f:
            named = f.read().strip()
    # An empty record (MMEngine writes it in place: a kill can truncate it)
    # falls back to the numbered checkpoints below.
    if named:
        own = osp.join(folder, osp.basename(named))
        if osp.isfile(own):
            if osp.realpath(own) != osp.realpath(named) and osp.exists(named):
                warnings.warn(
                    f'{record} names "{named}", a file of another directory '
                    '(this work dir was copied): resuming from this work '
                    f'dir\'s own copy "{own}".', stacklevel=2)
            return own
        if osp.isfile(named):
            raise FileNotFoundError(
                f'{record} names "{named}", a file of another directory, and '
                f'this run\'s checkpoint folder {folder} has no '
                f'{osp.basename(named)}. Refusing to resume from another '
                f'run\'s file without being asked: pass --resume {named} to '
                'resume from it explicitly.')
        others = sorted(path for _, _, path in _numbered_checkpoints(folder))
        raise FileNotFoundError(
            f'{record} names "{named}", which does not exist, and {folder} '
            f'has no {osp.basename(named)}. Pass --resume PATH'
            + (f' with one of: {", ".join(others)}' if others else '') + '.')
    numbered = _numbered_checkpoints(folder)
    if len({kind for kind, _, _ in numbered}) == 1:
        return max(numbered, key=lambda item: item[1])[2]
    if numbered:
        raise FileNotFoundError(
            f'--resume: {folder} has no last_checkpoint file and holds both '
            'epoch_*.pth and iter_*.pth; name the one to resume with --resume '
            'PATH.')
    if requested == RESUME_AUTO:
        return None
    raise FileNotFoundError(
        f'--resume: nothing to resume in {work_dir} (no last_checkpoint, no '
        'epoch_*.pth or iter_*.pth). Check --work-dir and the config name '
        '(the default work dir is ./work_dirs/<config name>), pass --resume '
        'PATH, or use --resume auto to start from scratch when there is '
        'nothing to resume.')


def setup_launcher(cfg: Config, launcher: str) -> None:
    """Record the launcher; on CPU-only machines start gloo and keep DDP
    off any device (see module docstring)."""
    cfg.launcher = launcher
    if launcher == 'none' or torch.cuda.is_available():
        return
    backend = cfg.get('env_cfg', {}).get('dist_cfg', {}).get('backend')
    if backend in (None, 'nccl'):
        backend = 'gloo'
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
    cfg.env_cfg.dist_cfg.backend = backend
    if launcher == 'pytorch' and not dist.is_initialized():
        dist.init_process_group(backend=backend)
    elif launcher == 'slurm' and not dist.is_initialized():
        _init_slurm_cpu(backend)
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel', broadcast_buffers=False)
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper


def finish_launcher() -> None:
    """End a distributed run cleanly: wait for every rank, then destroy the
    process group.

    A process that exits with a live gloo process group can abort in its
    C++ teardown ("terminate called without an active exception") while
    another rank is still closing its connections, so torchrun reports a
    failed run after a finished one. Nothing to do for a single process.
    """
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def _init_slurm_cpu(backend: str) -> None:
    """SLURM without GPUs: derive the torch.distributed variables from
    SLURM's and start the process group."""
    os.environ.setdefault('RANK', os.environ['SLURM_PROCID'])
    os.environ.setdefault('WORLD_SIZE', os.environ['SLURM_NTASKS'])
    os.environ.setdefault('LOCAL_RANK', os.environ.get('SLURM_LOCALID', '0'))
    os.environ.setdefault('MASTER_PORT', '29500')
    if 'MASTER_ADDR' not in os.environ:
        import subprocess
        node_list = os.environ['SLURM_NODELIST']
        os.environ['MASTER_ADDR'] = subprocess.getoutput(
            f'scontrol show hostname {node_list} | head -n1')
    dist.init_process_group(backend=backend)


def enable_amp(cfg: Config) -> None:
    """``--amp``: MMEngine's AmpOptimWrapper on GPU, bfloat16 autocast on
    CPU (where AmpOptimWrapper refuses to run)."""
    wrapper = cfg.optim_wrapper
    current = wrapper.get('type', 'OptimWrapper')
    if current in ('AmpOptimWrapper', 'AutocastOptimWrapper'):
        return
    if current != 'OptimWrapper':
        raise ValueError(f'--amp cannot be combined with optim_wrapper.type='
                         f'{current}; set a mixed-precision wrapper in the '
                         'config instead.')
    if torch.cuda.is_available():
        wrapper.type = 'AmpOptimWrapper'
        wrapper.setdefault('loss_scale', 'dynamic')
    else:
        wrapper.type = 'AutocastOptimWrapper'
        wrapper.setdefault('dtype', 'bfloat16')
