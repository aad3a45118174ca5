"""What ``tools/train.py`` and ``tools/test.py`` share: config loading and
the distributed set-up that also works on CPU-only machines.

MMEngine 0.10.7's ``_init_dist_pytorch`` always calls
``torch.cuda.set_device`` (fails without a GPU) and its default DDP wrapper
passes ``device_ids=[LOCAL_RANK]`` (a ``ValueError`` for CPU modules);
docs/supported_versions.md#distributed-training-on-cpu-gloo. Without CUDA we
therefore initialise a gloo process group
before the Runner exists (``Runner.setup_env`` then skips ``init_dist``) and
set ``device_ids=None``.
"""
import os
import os.path as osp

import torch
import torch.distributed as dist
from mmengine.config import Config

from mmlogitkd.checkpoint import trust_checkpoint_path


def load_config(config: str, cfg_options=None, work_dir=None) -> Config:
    """Load ``config``, apply ``--cfg-options`` and resolve ``work_dir``
    (``./work_dirs/<config name>`` by default, as in MMPretrain)."""
    if not osp.isfile(config):
        raise FileNotFoundError(f'config file not found: {config}')
    cfg = Config.fromfile(config)
    if cfg_options:
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
