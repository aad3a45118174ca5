"""A run killed during training and resumed with ``--resume`` ends with the
same weights as an uninterrupted run (randomness.deterministic=True, fixed
seed, same config)."""
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import torch

from conftest import CONFIGS, TRAIN, data_options, run_tool
from mmlogitkd.engine.hooks import epoch_seed


def test_epoch_seed_depends_on_seed_epoch_rank():
    assert epoch_seed(0, 1) != epoch_seed(0, 2)
    assert epoch_seed(1, 1) != epoch_seed(0, 1)
    assert epoch_seed(0, 1, rank=1) != epoch_seed(0, 1)
    assert epoch_seed(3, 4) == epoch_seed(3, 4)


def train_and_kill_after_first_checkpoint(args, work_dir, cwd):
    """Start training and SIGKILL it as soon as epoch_1.pth exists (written
    atomically, so it is complete when it appears)."""
    process = subprocess.Popen([sys.executable] + args, cwd=cwd,
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL,
                               env=dict(os.environ, OMP_NUM_THREADS='1'))
    deadline = time.time() + 300
    while not osp.exists(osp.join(work_dir, 'epoch_1.pth')):
        assert process.poll() is None, 'training ended before epoch 1'
        assert time.time() < deadline
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return process.returncode


def test_killed_and_resumed_run_matches(tiny_cifar_root, tmp_path):
    # 4 epochs so the kill lands well before the end of training.
    options = ['--cfg-options', 'randomness.seed=123',
               'randomness.deterministic=True', 'train_cfg.max_epochs=4',
               'param_scheduler.milestones=[2]'] + \
        data_options(tiny_cifar_root)
    config = osp.join(CONFIGS, 'tiny_classifier.py')
    straight = str(tmp_path / 'straight')
    run_tool([TRAIN, config, '--work-dir', straight] + options,
             cwd=str(tmp_path))
    killed = str(tmp_path / 'killed')
    code = train_and_kill_after_first_checkpoint(
        [TRAIN, config, '--work-dir', killed] + options, killed,
        cwd=str(tmp_path))
    assert code == -signal.SIGKILL
    assert not osp.exists(osp.join(killed, 'epoch_4.pth'))
    after_one = torch.load(osp.join(killed, 'epoch_1.pth'),
                           weights_only=True)['state_dict']
    run_tool([TRAIN, config, '--work-dir', killed, '--resume'] + options,
             cwd=str(tmp_path))
    expected = torch.load(osp.join(straight, 'epoch_4.pth'),
                          weights_only=True)['state_dict']
    resumed = torch.load(osp.join(killed, 'epoch_4.pth'),
                         weights_only=True)['state_dict']
    assert expected.keys() == resumed.keys()
    for key, value in expected.items():
        assert torch.equal(value, resumed[key]), key
    # The resumed run actually trained (weights moved after epoch 1).
    assert any(not torch.equal(after_one[k], v) for k, v in expected.items()
               if v.is_floating_point())
