"""A run interrupted after epoch 1 and resumed ends with the same weights
as an uninterrupted run (randomness.deterministic=True, fixed seed)."""
import os.path as osp

import torch

from mmlogitkd.engine.hooks import epoch_seed
from conftest import CONFIGS, TRAIN, data_options, run_tool


def test_epoch_seed_depends_on_seed_epoch_rank():
    assert epoch_seed(0, 1) != epoch_seed(0, 2)
    assert epoch_seed(1, 1) != epoch_seed(0, 1)
    assert epoch_seed(0, 1, rank=1) != epoch_seed(0, 1)
    assert epoch_seed(3, 4) == epoch_seed(3, 4)


def test_interrupted_and_resumed_run_matches(tiny_cifar_root, tmp_path):
    common = ['randomness.seed=123', 'randomness.deterministic=True'] + \
        data_options(tiny_cifar_root)
    config = osp.join(CONFIGS, 'tiny_classifier.py')
    straight = str(tmp_path / 'straight')
    run_tool([TRAIN, config, '--work-dir', straight, '--cfg-options'] +
             common, cwd=str(tmp_path))
    interrupted = str(tmp_path / 'interrupted')
    run_tool([TRAIN, config, '--work-dir', interrupted, '--cfg-options',
              'train_cfg.max_epochs=1'] + common, cwd=str(tmp_path))
    run_tool([TRAIN, config, '--work-dir', interrupted, '--resume',
              '--cfg-options'] + common, cwd=str(tmp_path))
    expected = torch.load(osp.join(straight, 'epoch_2.pth'),
                          weights_only=True)['state_dict']
    resumed = torch.load(osp.join(interrupted, 'epoch_2.pth'),
                         weights_only=True)['state_dict']
    assert expected.keys() == resumed.keys()
    for key, value in expected.items():
        assert torch.equal(value, resumed[key]), key
    # The runs actually trained (weights moved away from epoch 1).
    after_one = torch.load(osp.join(interrupted, 'epoch_1.pth'),
                           weights_only=True)['state_dict']
    assert any(not torch.equal(after_one[k], v) for k, v in expected.items()
               if v.is_floating_point())
