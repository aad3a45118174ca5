"""tools/dist_train.sh with 2 gloo processes on a CPU-only machine."""
import glob
import json
import os
import os.path as osp
import socket
import subprocess
import sys

import torch

from conftest import REPO_ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_dist_train_two_processes(tiny_cifar_root, tmp_path):
    work_dir = str(tmp_path / 'dist')
    env = dict(os.environ, PORT=str(free_port()), PYTHON=sys.executable,
               OMP_NUM_THREADS='1')
    options = [f'{name}.dataset.data_root={tiny_cifar_root}'
               for name in ('train_dataloader', 'val_dataloader',
                            'test_dataloader')]
    result = subprocess.run(
        ['bash', osp.join(REPO_ROOT, 'tools', 'dist_train.sh'),
         osp.join(REPO_ROOT, 'tests', 'data', 'configs', 'tiny_kd.py'), '2',
         '--work-dir', work_dir, '--cfg-options',
         'train_cfg.max_epochs=1'] + options,
        cwd=str(tmp_path), env=env, capture_output=True, text=True,
        timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    # 200 images, batch 50 per process, 2 processes: 2 iterations per epoch.
    checkpoint = torch.load(osp.join(work_dir, 'epoch_1.pth'),
                            weights_only=True)
    assert checkpoint['meta']['iter'] == 2
    [scalars] = glob.glob(osp.join(work_dir, '*', 'vis_data',
                                   'scalars.json'))
    lines = [json.loads(line) for line in open(scalars)]
    assert [line['iter'] for line in lines if 'loss' in line] == [1, 2]
    assert any('accuracy/top1' in line for line in lines)
    log = open(glob.glob(osp.join(work_dir, '*', '*.log'))[0]).read()
    assert 'Distributed launcher: pytorch' in log
    assert 'GPU number: 2' in log  # MMEngine's name for the world size


def test_dist_test_two_processes(tiny_cifar_root, tmp_path):
    """tools/dist_test.sh evaluates a checkpoint with 2 gloo processes."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from mmlogitkd.registry import MODELS
    init_default_scope('mmlogitkd')
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'tests', 'data', 'configs',
                                   'tiny_classifier.py'))
    checkpoint = str(tmp_path / 'model.pth')
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict()},
               checkpoint)
    env = dict(os.environ, PORT=str(free_port()), PYTHON=sys.executable,
               OMP_NUM_THREADS='1')
    options = [f'{name}.dataset.data_root={tiny_cifar_root}'
               for name in ('train_dataloader', 'val_dataloader',
                            'test_dataloader')]
    result = subprocess.run(
        ['bash', osp.join(REPO_ROOT, 'tools', 'dist_test.sh'),
         osp.join(REPO_ROOT, 'tests', 'data', 'configs',
                  'tiny_classifier.py'), checkpoint, '2', '--work-dir',
         str(tmp_path / 'test'), '--cfg-options'] + options,
        cwd=str(tmp_path), env=env, capture_output=True, text=True,
        timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    log = open(glob.glob(str(tmp_path / 'test' / '*' / '*.log'))[0]).read()
    assert 'GPU number: 2' in log
    assert 'accuracy/top1' in log


def fake_srun(tmp_path, env=None):
    """Run slurm_train.sh with a `srun` on PATH that prints its arguments
    and the thread variables its tasks would get."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir(parents=True)
    srun = bin_dir / 'srun'
    srun.write_text('#!/bin/sh\necho "ARGS $*"\n'
                    'echo "OMP=$OMP_NUM_THREADS MKL=$MKL_NUM_THREADS"\n')
    srun.chmod(0o755)
    environment = {k: v for k, v in os.environ.items()
                   if k not in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS')}
    environment.update(env or {})
    environment['PATH'] = f'{bin_dir}:{environment["PATH"]}'
    result = subprocess.run(
        ['bash', osp.join(REPO_ROOT, 'tools', 'slurm_train.sh'), 'cpu',
         'job', 'cfg.py', 'wd', '--amp'], env=environment,
        capture_output=True, text=True, check=True)
    return result.stdout


def test_slurm_gpus_and_threads(tmp_path):
    default = fake_srun(tmp_path / 'a')
    assert '--gres=gpu:8 --ntasks=8 --ntasks-per-node=8 ' \
        '--cpus-per-task=5' in default
    assert 'OMP=5 MKL=5' in default
    assert '--launcher=slurm --amp' in default
    cpu = fake_srun(tmp_path / 'b', dict(GPUS='4', GPUS_PER_NODE='0',
                                         CPUS_PER_TASK='2'))
    assert '--gres' not in cpu
    assert '--ntasks=4 --ntasks-per-node=4 --cpus-per-task=2' in cpu
    assert 'OMP=2 MKL=2' in cpu
    mine = fake_srun(tmp_path / 'c', dict(OMP_NUM_THREADS='3'))
    assert 'OMP=3 MKL=5' in mine
