"""The TensorBoard/W&B snippet of docs/loggers.md trains with MMEngine's
vis backends next to the LocalVisBackend our tools read (skipped unless
requirements/loggers.txt is installed)."""
import glob
import os.path as osp
import re

import pytest

from conftest import CONFIGS, REPO_ROOT, TRAIN, data_options, run_tool


def snippet():
    """The first ```python block of docs/loggers.md."""
    text = open(osp.join(REPO_ROOT, 'docs', 'loggers.md')).read()
    return re.search(r'```python\n(.*?)```', text, re.S).group(1)


def test_snippet_is_a_visualizer_override():
    namespace = {}
    exec(snippet(), namespace)
    types = [b['type'] for b in namespace['visualizer']['vis_backends']]
    assert types == ['LocalVisBackend', 'TensorboardVisBackend',
                     'WandbVisBackend']


def test_tensorboard_and_wandb_offline(tiny_cifar_root, tmp_path,
                                       monkeypatch):
    pytest.importorskip('tensorboard')
    pytest.importorskip('wandb')
    config = tmp_path / 'tiny_loggers.py'
    config.write_text(
        f"_base_ = [{osp.join(CONFIGS, 'tiny_classifier.py')!r}]\n" +
        snippet())
    work_dir = str(tmp_path / 'work')
    monkeypatch.setenv('WANDB_MODE', 'offline')
    monkeypatch.setenv('WANDB_DIR', str(tmp_path))
    run_tool([TRAIN, str(config), '--work-dir', work_dir, '--cfg-options',
              'train_cfg.max_epochs=1'] + data_options(tiny_cifar_root),
             cwd=str(tmp_path))
    vis_data = glob.glob(osp.join(work_dir, '*', 'vis_data'))[0]
    assert glob.glob(osp.join(vis_data, 'events.out.tfevents.*'))
    assert osp.isfile(osp.join(vis_data, 'scalars.json'))
    assert glob.glob(osp.join(vis_data, 'wandb', 'offline-run-*'))
