"""The teacher-logit cache through tools/train.py: a run reading a float32
cache ends bit-identical to the same run without it, also after a resume
from a run killed mid-training, and with 2 gloo processes."""
import glob
import os
import os.path as osp
import signal
import subprocess
import sys

import pytest
import torch

from conftest import CONFIGS, REPO_ROOT, TRAIN, data_options, run_tool
from mmlogitkd.checkpoint import load_checkpoint_file, select_prefix
from test_resume_equivalence import train_and_kill_after_first_checkpoint

LEGACY = osp.join(REPO_ROOT, 'tests', 'data', 'checkpoints',
                  'tiny_kd_v0.1.0_epoch_1.pth')


@pytest.fixture(scope='module')
def teacher(tmp_path_factory):
    """A resnet8 teacher: the teacher weights of the v0.1.0 checkpoint."""
    state = load_checkpoint_file(LEGACY)['state_dict']
    path = str(tmp_path_factory.mktemp('teacher') / 'teacher.pth')
    torch.save({'state_dict': select_prefix(state, 'teacher.')}, path)
    return path


def _options(teacher, root, cache=None, epochs=3):
    options = ['--cfg-options', f'model.teacher_ckpt={teacher}',
               'randomness.seed=7', 'randomness.deterministic=True',
               f'train_cfg.max_epochs={epochs}'] + data_options(root)
    if cache is not None:
        options += [f'model.teacher_cache.root={cache}']
    return options


def _final(work_dir, epoch):
    return torch.load(osp.join(work_dir, f'epoch_{epoch}.pth'),
                      weights_only=True)['state_dict']


def _log(work_dir):
    return ''.join(open(p).read()
                   for p in glob.glob(osp.join(work_dir, '*', '*.log')))


def _assert_same(a, b):
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


def test_warm_cache_is_bit_identical_and_skips_the_teacher(
        teacher, tiny_cifar_root, tmp_path):
    config = osp.join(CONFIGS, 'tiny_kd.py')
    cache = str(tmp_path / 'cache')
    runs = {}
    for name, cache_root in (('plain', None), ('cold', cache),
                             ('warm', cache)):
        runs[name] = str(tmp_path / name)
        run_tool([TRAIN, config, '--work-dir', runs[name]] +
                 _options(teacher, tiny_cifar_root, cache_root),
                 cwd=str(tmp_path))
    plain = _final(runs['plain'], 3)
    _assert_same(plain, _final(runs['cold'], 3))
    _assert_same(plain, _final(runs['warm'], 3))
    assert '0 batches read, 4 computed by the teacher' in _log(runs['cold'])
    warm_log = _log(runs['warm'])
    assert warm_log.count('4 batches read, 0 computed by the teacher') == 3
    assert '200 of 200 samples stored' in warm_log
    # another seed is another key: recomputed, never reused
    other = str(tmp_path / 'other_seed')
    run_tool([TRAIN, config, '--work-dir', other] +
             _options(teacher, tiny_cifar_root, cache, epochs=1) +
             ['randomness.seed=8'], cwd=str(tmp_path))
    assert '0 of 200 samples stored' in _log(other)
    assert len(os.listdir(cache)) == 2


def test_cache_after_a_killed_and_resumed_run(teacher, tiny_cifar_root,
                                              tmp_path):
    config = osp.join(CONFIGS, 'tiny_kd.py')
    cache = str(tmp_path / 'cache')
    plain = str(tmp_path / 'plain')
    run_tool([TRAIN, config, '--work-dir', plain] +
             _options(teacher, tiny_cifar_root, epochs=4), cwd=str(tmp_path))
    killed = str(tmp_path / 'killed')
    args = [TRAIN, config, '--work-dir', killed] + _options(
        teacher, tiny_cifar_root, cache, epochs=4)
    code = train_and_kill_after_first_checkpoint(args, killed,
                                                 cwd=str(tmp_path))
    assert code == -signal.SIGKILL
    run_tool(args[:4] + ['--resume'] + args[4:], cwd=str(tmp_path))
    _assert_same(_final(plain, 4), _final(killed, 4))
    warm = str(tmp_path / 'warm')
    run_tool([TRAIN, config, '--work-dir', warm] +
             _options(teacher, tiny_cifar_root, cache, epochs=4),
             cwd=str(tmp_path))
    _assert_same(_final(plain, 4), _final(warm, 4))
    assert _log(warm).count('4 batches read, 0 computed') == 4


def test_cache_with_two_gloo_processes(teacher, tiny_cifar_root, tmp_path):
    from test_dist_train import free_port
    cache = str(tmp_path / 'cache')
    finals = []
    for name in ('cold', 'warm'):
        work_dir = str(tmp_path / name)
        env = dict(os.environ, PORT=str(free_port()), PYTHON=sys.executable,
                   OMP_NUM_THREADS='1')
        result = subprocess.run(
            ['bash', osp.join(REPO_ROOT, 'tools', 'dist_train.sh'),
             osp.join(CONFIGS, 'tiny_kd.py'), '2', '--work-dir', work_dir] +
            _options(teacher, tiny_cifar_root, cache, epochs=2),
            cwd=str(tmp_path), env=env, capture_output=True, text=True,
            timeout=600)
        assert result.returncode == 0, result.stderr[-4000:]
        finals.append(_final(work_dir, 2))
    _assert_same(*finals)
    [folder] = glob.glob(osp.join(cache, '*'))
    shards = sorted(os.listdir(osp.join(folder, 'epoch_0')))
    assert {name.split('-')[0] for name in shards} == {'rank0', 'rank1'}
    # 200 images, batch 50 per process, 2 processes: 2 batches per rank
    assert '2 batches read, 0 computed' in _log(str(tmp_path / 'warm'))


def test_cache_refuses_per_image_augmentation(teacher, tiny_cifar_root,
                                              tmp_path):
    config = tmp_path / 'per_image.py'
    config.write_text(
        f"_base_ = ['{osp.join(CONFIGS, 'tiny_kd.py')}']\n"
        'data_preprocessor = dict(train_views=None)\n'
        "train_dataloader = dict(dataset=dict(pipeline=[dict(type='RandomFlip'"
        ", prob=0.5), dict(type='PackInputs')]))\n")
    result = run_tool(
        [TRAIN, str(config), '--work-dir', str(tmp_path / 'run')] +
        _options(teacher, tiny_cifar_root, str(tmp_path / 'cache'), 1),
        cwd=str(tmp_path), expect_ok=False)
    assert result.returncode != 0
    assert 'augment_on_device = True' in result.stderr
