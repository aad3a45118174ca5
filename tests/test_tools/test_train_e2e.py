"""End to end through tools/train.py, tools/test.py and the exporter on a
tiny generated CIFAR-100-format dataset: 2 epochs, checkpoints, val metrics,
resume, distillation from the trained teacher, student export."""
import json
import os
import os.path as osp

import pytest
import torch

from conftest import (CONFIGS, REPO_ROOT, TRAIN, data_options, run_tool,
                      scalars)


@pytest.fixture(scope='module')
def teacher_run(tiny_cifar_root, tmp_path_factory):
    work_dir = str(tmp_path_factory.mktemp('teacher'))
    run_tool([TRAIN, osp.join(CONFIGS, 'tiny_classifier.py'), '--work-dir',
              work_dir, '--cfg-options',
              f'train_dataloader.dataset.data_root={tiny_cifar_root}',
              f'val_dataloader.dataset.data_root={tiny_cifar_root}',
              f'test_dataloader.dataset.data_root={tiny_cifar_root}'],
             cwd=work_dir)
    return work_dir


def test_two_epochs_checkpoints_and_metrics(teacher_run):
    for epoch in (1, 2):
        path = osp.join(teacher_run, f'epoch_{epoch}.pth')
        assert osp.isfile(path)
        # Our runs' checkpoints load without unpickling arbitrary objects.
        checkpoint = torch.load(path, weights_only=True)
        assert checkpoint['meta']['epoch'] == epoch
    val = [line for line in scalars(teacher_run) if 'accuracy/top1' in line]
    assert [line['step'] for line in val] == [1, 2]
    assert all('calibration/ece' in line for line in val)
    train = [line for line in scalars(teacher_run) if 'loss' in line]
    assert len(train) == 2 * 4  # 200 images, batch 50, 2 epochs


def test_resume_continues_schedule(teacher_run, tiny_cifar_root, tmp_path):
    work_dir = str(tmp_path / 'resumed')
    os.makedirs(work_dir)
    # Resume from the teacher's epoch-2 checkpoint and train one more epoch.
    source = osp.join(teacher_run, 'epoch_2.pth')
    run_tool([TRAIN, osp.join(CONFIGS, 'tiny_classifier.py'), '--work-dir',
              work_dir, '--resume', source, '--cfg-options',
              'train_cfg.max_epochs=3'] + data_options(tiny_cifar_root),
             cwd=work_dir)
    assert not osp.exists(osp.join(work_dir, 'epoch_1.pth'))
    checkpoint = torch.load(osp.join(work_dir, 'epoch_3.pth'),
                            weights_only=True)
    assert checkpoint['meta']['epoch'] == 3
    assert checkpoint['meta']['iter'] == 12
    train = [line for line in scalars(work_dir) if 'loss' in line]
    assert [line['iter'] for line in train] == [9, 10, 11, 12]
    # lr decayed after epoch 1 (milestone 1) and stays decayed on resume.
    assert all(line['lr'] == pytest.approx(0.005) for line in train)
    # --resume auto picks the latest checkpoint of the work dir.
    run_tool([TRAIN, osp.join(CONFIGS, 'tiny_classifier.py'), '--work-dir',
              work_dir, '--resume', '--cfg-options',
              'train_cfg.max_epochs=4'] + data_options(tiny_cifar_root),
             cwd=work_dir)
    checkpoint = torch.load(osp.join(work_dir, 'epoch_4.pth'),
                            weights_only=True)
    assert checkpoint['meta']['iter'] == 16


@pytest.fixture(scope='module')
def kd_run(teacher_run, tiny_cifar_root, tmp_path_factory):
    work_dir = str(tmp_path_factory.mktemp('kd'))
    teacher_ckpt = osp.join(teacher_run, 'epoch_2.pth')
    run_tool([TRAIN, osp.join(CONFIGS, 'tiny_kd.py'), '--work-dir', work_dir,
              '--cfg-options', f'model.teacher_ckpt={teacher_ckpt}'] +
             data_options(tiny_cifar_root), cwd=work_dir)
    return work_dir, teacher_ckpt


def test_distillation_run(kd_run):
    work_dir, teacher_ckpt = kd_run
    train = [line for line in scalars(work_dir) if 'loss' in line]
    assert all('loss_kd' in line and 'loss_ce' in line for line in train)
    assert all(line['loss'] == pytest.approx(
        line['loss_kd'] + line['loss_ce'], rel=1e-4) for line in train)
    teacher_eval = json.load(open(osp.join(work_dir, 'teacher_eval.json')))
    assert teacher_eval['checkpoint'] == teacher_ckpt
    assert len(teacher_eval['sha256']) == 64
    # The teacher evaluation equals the teacher run's own final validation.
    teacher_val = [line for line in scalars(osp.dirname(teacher_ckpt))
                   if 'accuracy/top1' in line][-1]
    assert teacher_eval['accuracy/top1'] == pytest.approx(
        teacher_val['accuracy/top1'])
    # The teacher (weights and BN statistics) never changed.
    teacher_state = torch.load(teacher_ckpt, weights_only=True)['state_dict']
    final = torch.load(osp.join(work_dir, 'epoch_2.pth'),
                       weights_only=True)['state_dict']
    for key, value in teacher_state.items():
        assert torch.equal(final['teacher.' + key], value), key
    student_changed = [not torch.equal(final['student.' + k], v)
                       for k, v in teacher_state.items()
                       if v.is_floating_point()]
    assert any(student_changed)


def test_export_student_gives_same_logits(kd_run, tmp_path):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from mmlogitkd.registry import MODELS
    work_dir, _ = kd_run
    source = osp.join(work_dir, 'epoch_2.pth')
    target = str(tmp_path / 'student.pth')
    result = run_tool([osp.join(REPO_ROOT, 'tools', 'model_converters',
                                'distill2student.py'), source, target],
                      cwd=str(tmp_path))
    assert 'dropped: teacher' in result.stdout
    init_default_scope('mmlogitkd')
    student_cfg = Config.fromfile(osp.join(
        REPO_ROOT, 'configs', '_base_', 'models', 'cifar100', 'resnet8.py'))
    plain = MODELS.build(student_cfg.model).eval()
    exported = torch.load(target, weights_only=True)
    plain.load_state_dict(exported['state_dict'], strict=True)
    distill_cfg = Config.fromfile(osp.join(CONFIGS, 'tiny_kd.py'))
    distiller = MODELS.build(distill_cfg.model).eval()
    distiller.load_state_dict(
        torch.load(source, weights_only=True)['state_dict'])
    inputs = torch.randn(4, 3, 32, 32)
    with torch.no_grad():
        assert torch.equal(plain(inputs, mode='tensor'),
                           distiller(inputs, mode='tensor'))


def test_export_never_destroys_the_run_checkpoint(kd_run, tmp_path):
    """distill2student SRC SRC is refused (it used to overwrite the full run
    checkpoint with the student); an existing DST needs --force."""
    import shutil
    work_dir, _ = kd_run
    source = str(tmp_path / 'epoch_2.pth')
    shutil.copy(osp.join(work_dir, 'epoch_2.pth'), source)
    before = open(source, 'rb').read()
    tool = osp.join(REPO_ROOT, 'tools', 'model_converters',
                    'distill2student.py')
    result = run_tool([tool, source, source], cwd=str(tmp_path),
                      expect_ok=False)
    assert result.returncode != 0
    assert 'it is the source file itself' in result.stderr
    assert open(source, 'rb').read() == before
    target = str(tmp_path / 'student.pth')
    run_tool([tool, source, target], cwd=str(tmp_path))
    result = run_tool([tool, source, target], cwd=str(tmp_path),
                      expect_ok=False)
    assert result.returncode != 0 and '--force' in result.stderr
    run_tool([tool, source, target, '--force'], cwd=str(tmp_path))


def test_test_tool_reports_metrics(kd_run, tiny_cifar_root, tmp_path):
    work_dir, _ = kd_run
    result = run_tool([osp.join(REPO_ROOT, 'tools', 'test.py'),
                       osp.join(CONFIGS, 'tiny_kd.py'),
                       osp.join(work_dir, 'epoch_2.pth'), '--work-dir',
                       str(tmp_path), '--cfg-options'] +
                      data_options(tiny_cifar_root), cwd=str(tmp_path))
    assert 'accuracy/top1' in result.stdout + result.stderr


def test_amp_and_near_chance_teacher_warning(tiny_cifar_root, tmp_path):
    """--amp trains a distillation run on CPU (bf16 autocast), and a teacher
    without a checkpoint (random weights: chance accuracy) is reported
    loudly before training."""
    work_dir = str(tmp_path / 'amp')
    result = run_tool([TRAIN, osp.join(CONFIGS, 'tiny_kd.py'), '--work-dir',
                       work_dir, '--amp', '--cfg-options',
                       'train_cfg.max_epochs=1'] +
                      data_options(tiny_cifar_root), cwd=str(tmp_path))
    output = result.stdout + result.stderr
    assert 'AutocastOptimWrapper' in open(
        osp.join(work_dir, 'tiny_kd.py')).read()
    assert 'is probably wrong or missing' in output
    train = [line for line in scalars(work_dir) if 'loss' in line]
    assert train and all(line['loss'] == line['loss'] for line in train)
