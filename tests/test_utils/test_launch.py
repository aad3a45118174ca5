"""What tools/train.py and tools/test.py share: --cfg-options that keep
hashes as strings and warn about keys nothing reads, the checkpoint
--resume means (inside the work dir; "nothing to resume" is an error unless
--resume auto), the guard hooks every run gets."""
import argparse
import os
import shutil

import pytest
from mmengine.config import Config

from mmlogitkd.utils.launch import (RESUME_AUTO, RESUME_LATEST,
                                    CfgOptionsAction, dataloader_options,
                                    ensure_hooks,
                                    find_resume_checkpoint,
                                    skip_teacher_checkpoint,
                                    warn_unknown_options)


def parse(*options):
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction)
    return parser.parse_args(['--cfg-options', *options]).cfg_options


def test_sha256_options_stay_strings():
    """An all-digit hash used to become an int (AttributeError later), and
    one like 123e45... a float."""
    digits = '0' + '1' * 63
    options = parse(f'model.teacher_ckpt_sha256={digits}',
                    'model.x_sha256=12e45', 'model.ce_weight=0.1',
                    'model.teacher_ckpt_sha256_b=None')
    assert options['model.teacher_ckpt_sha256'] == digits
    assert options['model.x_sha256'] == '12e45'
    assert options['model.ce_weight'] == 0.1
    assert options['model.teacher_ckpt_sha256_b'] is None


def test_options_that_create_new_top_level_keys_warn():
    cfg = Config(dict(optim_wrapper=dict(optimizer=dict(lr=0.1)),
                      train_dataloader=dict(batch_size=2)))
    with pytest.warns(UserWarning) as record:
        warn_unknown_options(cfg, {'optimizer.lr': 0.2,
                                   'train_dataloadr.batch_size': 4,
                                   'optim_wrapper.optimizer.lr': 0.3})
    messages = [str(r.message) for r in record]
    assert len(messages) == 2
    assert '--cfg-options optimizer.lr: the config has no "optimizer" ' \
        'entry' in messages[0]
    assert 'did you mean optim_wrapper.optimizer.lr?' in messages[0]
    assert 'did you mean train_dataloader.batch_size?' in messages[1]


def work_dir_cfg(path):
    return Config(dict(work_dir=str(path), default_hooks=dict(
        checkpoint=dict(type='CheckpointHook'))))


def test_resume_nothing_is_an_error_unless_auto(tmp_path):
    cfg = work_dir_cfg(tmp_path / 'typo')
    with pytest.raises(FileNotFoundError) as error:
        find_resume_checkpoint(cfg, RESUME_LATEST)
    message = str(error.value)
    assert f'--resume: nothing to resume in {tmp_path / "typo"}' in message
    assert '--resume auto to start from scratch' in message
    assert find_resume_checkpoint(cfg, RESUME_AUTO) is None
    with pytest.raises(FileNotFoundError,
                       match='--resume nope.pth: no such checkpoint file'):
        find_resume_checkpoint(cfg, 'nope.pth')


def make_run(path, epochs=(1, 2)):
    path.mkdir(parents=True)
    for epoch in epochs:
        (path / f'epoch_{epoch}.pth').write_bytes(b'x')
    (path / 'last_checkpoint').write_text(str(path / f'epoch_{epochs[-1]}'
                                              '.pth'))
    return path


def test_copied_work_dir_resumes_from_its_own_file(tmp_path):
    original = make_run(tmp_path / 'original')
    copy = tmp_path / 'copy'
    shutil.copytree(original, copy)
    with pytest.warns(UserWarning, match='this work dir was copied'):
        found = find_resume_checkpoint(work_dir_cfg(copy), RESUME_LATEST)
    assert found == str(copy / 'epoch_2.pth')
    assert find_resume_checkpoint(work_dir_cfg(original), RESUME_LATEST) \
        == str(original / 'epoch_2.pth')


def test_moved_work_dir_can_resume(tmp_path):
    original = make_run(tmp_path / 'original')
    moved = tmp_path / 'moved'
    os.rename(original, moved)
    assert find_resume_checkpoint(work_dir_cfg(moved), RESUME_LATEST) == \
        str(moved / 'epoch_2.pth')


def test_last_checkpoint_of_another_directory_is_not_followed(tmp_path):
    original = make_run(tmp_path / 'original')
    other = tmp_path / 'other'
    other.mkdir()
    shutil.copy(original / 'last_checkpoint', other / 'last_checkpoint')
    with pytest.raises(FileNotFoundError) as error:
        find_resume_checkpoint(work_dir_cfg(other), RESUME_AUTO)
    assert 'a file of another directory' in str(error.value)
    assert f'pass --resume {original / "epoch_2.pth"}' in str(error.value)
    os.remove(original / 'epoch_2.pth')
    with pytest.raises(FileNotFoundError,
                       match='which does not exist.* with one of: .*'
                       'epoch_1.pth'):
        find_resume_checkpoint(work_dir_cfg(original), RESUME_LATEST)


def test_without_last_checkpoint_the_highest_epoch_is_taken(tmp_path):
    run = make_run(tmp_path / 'run', epochs=(2, 10))
    os.remove(run / 'last_checkpoint')
    assert find_resume_checkpoint(work_dir_cfg(run), RESUME_LATEST) == \
        str(run / 'epoch_10.pth')


def test_truncated_last_checkpoint_falls_back_to_the_numbers(tmp_path):
    """MMEngine writes last_checkpoint in place: a kill can leave it
    empty."""
    run = make_run(tmp_path / 'run', epochs=(1, 2))
    (run / 'last_checkpoint').write_text('')
    assert find_resume_checkpoint(work_dir_cfg(run), RESUME_LATEST) == \
        str(run / 'epoch_2.pth')


def test_checkpoint_out_dir_is_followed(tmp_path):
    cfg = Config(dict(work_dir=str(tmp_path / 'work' / 'kd'),
                      default_hooks=dict(checkpoint=dict(
                          out_dir=str(tmp_path / 'store')))))
    (tmp_path / 'work' / 'kd').mkdir(parents=True)
    make_run(tmp_path / 'store' / 'kd')
    os.rename(tmp_path / 'store' / 'kd' / 'last_checkpoint',
              tmp_path / 'work' / 'kd' / 'last_checkpoint')
    assert find_resume_checkpoint(cfg, RESUME_LATEST) == \
        str(tmp_path / 'store' / 'kd' / 'epoch_2.pth')


def test_guard_hooks_are_added_once():
    cfg = Config(dict(custom_hooks=[dict(type='LossGuardHook',
                                         explosion_factor=None)]))
    ensure_hooks(cfg, ('LossGuardHook', 'ResumeCheckHook'))
    ensure_hooks(cfg, ('ResumeCheckHook', ))
    assert [h['type'] for h in cfg.custom_hooks] == [
        'LossGuardHook', 'mmlogitkd.ResumeCheckHook']
    assert cfg.custom_hooks[0]['explosion_factor'] is None


def test_testing_skips_the_teacher_file():
    cfg = Config(dict(model=dict(type='LogitDistiller',
                                 teacher_ckpt='gone.pth',
                                 teacher_ckpt_sha256='ab' * 32)))
    skip_teacher_checkpoint(cfg)
    assert cfg.model.teacher_ckpt is None
    assert cfg.model.teacher_ckpt_sha256 is None
    plain = Config(dict(model=dict(type='ImageClassifier', x=1)))
    skip_teacher_checkpoint(plain)
    assert plain.model == dict(type='ImageClassifier', x=1)


@pytest.mark.parametrize('workers', [0, 3])
def test_dataloader_options_reach_every_loader(workers):
    """Parsed the way tools/train.py parses them and merged into a config,
    the options point all three loaders at the folder and set their
    workers (persistent only when there are some)."""
    cfg = Config(dict(
        **{name: dict(num_workers=2, persistent_workers=True,
                      dataset=dict(type='X', data_root='old'))
           for name in ('train_dataloader', 'val_dataloader',
                        'test_dataloader')}))
    cfg.merge_from_dict(parse(*dataloader_options('data/new', workers)))
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg[name]
        assert loader.dataset.data_root == 'data/new'
        assert loader.dataset.type == 'X'
        assert loader.num_workers == workers
        assert loader.persistent_workers is (workers > 0)


def test_dataloader_options_reject_negative_workers():
    with pytest.raises(ValueError, match='workers must be >= 0, got -1'):
        dataloader_options('data', -1)
