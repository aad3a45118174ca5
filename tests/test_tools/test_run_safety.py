"""Nothing silently wrong (issue 14), through the real tools on the tiny
data: tools/test.py loads strictly and needs no teacher file; a resume is
refused when the checkpoint belongs to another run, and finds its file
inside the work dir (copied, moved, nothing to resume); a diverging or NaN
loss stops before a bad checkpoint exists; bad settings fail before the
first step, naming themselves."""
import os
import os.path as osp
import shutil

import pytest
import torch

from conftest import CONFIGS, REPO_ROOT, TRAIN, data_options, run_tool, \
    scalars
from mmlogitkd.checkpoint import file_sha256

TEST = osp.join(REPO_ROOT, 'tools', 'test.py')
CLASSIFIER = osp.join(CONFIGS, 'tiny_classifier.py')
KD = osp.join(CONFIGS, 'tiny_kd.py')


def output(result):
    return result.stdout + result.stderr


def refused(args, cwd):
    result = run_tool(args, cwd=str(cwd), expect_ok=False)
    assert result.returncode != 0, output(result)[-3000:]
    return output(result)


@pytest.fixture(scope='module')
def teacher_run(tiny_cifar_root, tmp_path_factory):
    work_dir = str(tmp_path_factory.mktemp('safety_teacher'))
    run_tool([TRAIN, CLASSIFIER, '--work-dir', work_dir, '--cfg-options',
              'default_hooks.checkpoint.save_best=auto'] +
             data_options(tiny_cifar_root), cwd=work_dir)
    return work_dir


@pytest.fixture(scope='module')
def kd_run(teacher_run, tiny_cifar_root, tmp_path_factory):
    work_dir = str(tmp_path_factory.mktemp('safety_kd'))
    run_tool([TRAIN, KD, '--work-dir', work_dir, '--cfg-options',
              f'model.teacher_ckpt={teacher_run}/epoch_2.pth'] +
             data_options(tiny_cifar_root), cwd=work_dir)
    return work_dir


# ----------------------------------------------------------------------
# tools/test.py
# ----------------------------------------------------------------------
def test_test_tool_refuses_checkpoints_of_the_other_kind(
        teacher_run, kd_run, tiny_cifar_root, tmp_path):
    """Each pairing used to exit 0 with a random model's metrics (0.5 %
    top-1) and one 'missing keys' line."""
    kd_ckpt = osp.join(kd_run, 'epoch_2.pth')
    options = ['--work-dir', str(tmp_path), '--cfg-options'] + \
        data_options(tiny_cifar_root)
    text = refused([TEST, CLASSIFIER, kd_ckpt] + options, tmp_path)
    assert f'"{kd_ckpt}" is a checkpoint of a distillation (LogitDistiller) ' \
        'run (epoch 2)' in text
    assert f'its work dir holds it: {osp.join(kd_run, "tiny_kd.py")}' in text
    assert f'distill2student.py {kd_ckpt} student.pth' in text
    assert 'Epoch(test)' not in text

    plain = osp.join(teacher_run, 'epoch_2.pth')
    text = refused([TEST, KD, plain] + options, tmp_path)
    assert f'"{plain}" is a checkpoint of a plain classifier run' in text
    assert f'The config "{KD}" is a distillation config' in text
    # An exported student given to the distillation config: see
    # tests/test_checkpoint/test_runs.py (same check, same message).


def test_test_tool_needs_no_teacher_file(kd_run, tiny_cifar_root, tmp_path):
    """The checkpoint holds the teacher: model.teacher_ckpt (here a file
    that no longer exists) is not loaded."""
    result = run_tool([TEST, KD, osp.join(kd_run, 'epoch_2.pth'),
                       '--work-dir', str(tmp_path), '--cfg-options',
                       f'model.teacher_ckpt={tmp_path}/deleted.pth',
                       'model.teacher_ckpt_sha256=' + '0' * 64] +
                      data_options(tiny_cifar_root), cwd=str(tmp_path))
    top1 = [line['accuracy/top1'] for line in scalars(kd_run)
            if 'accuracy/top1' in line][-1]
    assert f'accuracy/top1: {top1:.4f}' in output(result)


# ----------------------------------------------------------------------
# resume
# ----------------------------------------------------------------------
def copy_run(source, target):
    shutil.copytree(source, target)
    return str(target)


def test_resume_from_another_method_is_refused(kd_run, teacher_run,
                                               tiny_cifar_root, tmp_path):
    """A KD config resumed from a CRLD checkpoint used to train on (CRLD
    weights, optimizer, a phantom loss_crld in the logs)."""
    work_dir = copy_run(kd_run, tmp_path / 'kd')
    dkd = tmp_path / 'tiny_dkd.py'
    dkd.write_text(
        f"_base_ = ['{KD}']\n"
        "model = dict(distill_losses=dict(_delete_=True, loss_dkd=dict(\n"
        "    type='DKDLoss', temperature=4.0, alpha=1.0, beta=8.0,\n"
        "    warmup_epochs=0)))\n")
    args = [TRAIN, str(dkd), '--work-dir', work_dir, '--resume',
            '--cfg-options', 'train_cfg.max_epochs=3',
            f'model.teacher_ckpt={teacher_run}/epoch_2.pth'] + \
        data_options(tiny_cifar_root)
    text = refused(args, tmp_path)
    assert f'"{work_dir}/epoch_2.pth" was written by another model or ' \
        'method than the config\'s' in text
    assert 'method: checkpoint loss_kd=KDLoss(temperature=4.0' in text
    assert 'vs config loss_dkd=DKDLoss(' in text
    assert '--allow-resume-mismatch' in text
    assert not osp.exists(osp.join(work_dir, 'epoch_3.pth'))
    result = run_tool(args + ['--allow-resume-mismatch'], cwd=str(tmp_path))
    assert 'Resuming anyway (allow_mismatch=True' in output(result)
    assert osp.exists(osp.join(work_dir, 'epoch_3.pth'))


def test_classifier_checkpoint_cannot_resume_a_distillation_run(
        teacher_run, tiny_cifar_root, tmp_path):
    """It used to end in an optimizer parameter-group error."""
    plain = osp.join(teacher_run, 'epoch_2.pth')
    text = refused([TRAIN, KD, '--work-dir', str(tmp_path / 'kd'),
                    '--resume', plain, '--cfg-options',
                    f'model.teacher_ckpt={plain}'] +
                   data_options(tiny_cifar_root), tmp_path)
    assert f'"{plain}" is a checkpoint of a plain classifier run (epoch 2)' \
        in text
    assert f'To distil from it, set model.teacher_ckpt={plain}' in text
    assert 'param_groups' not in text


def test_resume_with_nothing_to_resume(tiny_cifar_root, tmp_path):
    """A typo'd work dir used to train from scratch with rc 0."""
    work_dir = str(tmp_path / 'typo')
    args = [TRAIN, CLASSIFIER, '--work-dir', work_dir, '--cfg-options',
            'train_cfg.max_epochs=1'] + data_options(tiny_cifar_root)
    text = refused(args[:4] + ['--resume'] + args[4:], tmp_path)
    assert f'--resume: nothing to resume in {work_dir}' in text
    assert not osp.exists(osp.join(work_dir, 'epoch_1.pth'))
    result = run_tool(args[:4] + ['--resume', 'auto'] + args[4:],
                      cwd=str(tmp_path))
    assert '--resume auto: nothing to resume' in output(result)
    assert osp.exists(osp.join(work_dir, 'epoch_1.pth'))


def test_copied_work_dir_resumes_its_own_files(teacher_run, tiny_cifar_root,
                                               tmp_path):
    """A copy used to resume from the original's checkpoint (last_checkpoint
    holds an absolute path), and CheckpointHook then deleted the original's
    best checkpoint when the copy found a better one."""
    before = sorted(os.listdir(teacher_run))
    best = [name for name in before if name.startswith('best_')]
    assert len(best) == 1
    best_bytes = open(osp.join(teacher_run, best[0]), 'rb').read()
    work_dir = copy_run(teacher_run, tmp_path / 'copy')
    # Make the copy's next validation a new best, so CheckpointHook removes
    # "the previous best" by the path it resumed.
    resumed = osp.join(work_dir, 'epoch_2.pth')
    checkpoint = torch.load(resumed, weights_only=True)
    checkpoint['message_hub']['runtime_info']['best_score'] = -1.0
    torch.save(checkpoint, resumed)
    result = run_tool([TRAIN, CLASSIFIER, '--work-dir', work_dir, '--resume',
                       '--cfg-options', 'train_cfg.max_epochs=3',
                       'default_hooks.checkpoint.save_best=auto',
                       'optim_wrapper.optimizer.lr=0.2'] +
                      data_options(tiny_cifar_root), cwd=str(tmp_path))
    text = output(result)
    assert f'resuming from this work dir\'s own copy "{resumed}"' in text
    assert sorted(os.listdir(teacher_run)) == before
    assert open(osp.join(teacher_run, best[0]), 'rb').read() == best_bytes
    assert osp.exists(osp.join(work_dir, 'best_accuracy_top1_epoch_3.pth'))
    assert not osp.exists(osp.join(work_dir, best[0]))
    # The resumed optimizer state replaced the lr given on the command line.
    assert 'optimizer lr: config 0.2 vs checkpoint 0.05' in text
    assert 'param_scheduler[0] (MultiStepLR) end: config 3 vs checkpoint 2' \
        in text


def test_moved_work_dir_can_resume(teacher_run, tiny_cifar_root, tmp_path):
    """A moved work dir could not resume: last_checkpoint named a path that
    no longer existed."""
    copy = copy_run(teacher_run, tmp_path / 'copy')
    moved = str(tmp_path / 'moved')
    os.rename(copy, moved)
    run_tool([TRAIN, CLASSIFIER, '--work-dir', moved, '--resume',
              '--cfg-options', 'train_cfg.max_epochs=3'] +
             data_options(tiny_cifar_root), cwd=str(tmp_path))
    checkpoint = torch.load(osp.join(moved, 'epoch_3.pth'),
                            weights_only=True)
    assert checkpoint['meta']['iter'] == 12
    assert open(osp.join(moved, 'last_checkpoint')).read() == \
        osp.join(moved, 'epoch_3.pth')


def test_checkpoint_of_an_earlier_version_resumes_with_a_warning(
        tiny_cifar_root, tmp_path):
    legacy = osp.join(REPO_ROOT, 'tests', 'data', 'checkpoints',
                      'tiny_kd_v0.1.0_epoch_1.pth')
    result = run_tool([TRAIN, KD, '--work-dir', str(tmp_path), '--resume',
                       legacy] + ['--cfg-options'] +
                      data_options(tiny_cifar_root), cwd=str(tmp_path))
    assert 'has no mmlogitkd run fingerprint' in output(result)
    assert osp.exists(str(tmp_path / 'epoch_2.pth'))


# ----------------------------------------------------------------------
# losses that go wrong
# ----------------------------------------------------------------------
def test_exploding_loss_stops_with_a_usable_checkpoint(tiny_cifar_root,
                                                       tmp_path):
    """lr x 1e7 after epoch 1: the loss explodes without becoming NaN; the
    kept checkpoint used to hold the exploded weights (|w| = 1.9e16)."""
    work_dir = str(tmp_path / 'run')
    text = refused([TRAIN, CLASSIFIER, '--work-dir', work_dir,
                    '--cfg-options', 'param_scheduler.gamma=1e7'] +
                   data_options(tiny_cifar_root), tmp_path)
    assert 'LossExplosionError: loss exploded at iteration' in text
    assert f'the last checkpoint, {work_dir}/epoch_1.pth, is kept' in text
    assert not osp.exists(osp.join(work_dir, 'epoch_2.pth'))
    state = torch.load(osp.join(work_dir, 'epoch_1.pth'),
                       weights_only=True)['state_dict']
    largest = max(value.abs().max().item() for value in state.values()
                  if value.is_floating_point())
    assert largest < 100


def test_plain_classifier_stops_at_the_first_nan_loss(tiny_cifar_root,
                                                      tmp_path):
    """A teacher's training used to log a whole epoch of loss: nan."""
    work_dir = str(tmp_path / 'run')
    text = refused([TRAIN, CLASSIFIER, '--work-dir', work_dir,
                    '--cfg-options', 'model.head.loss.loss_weight=nan'] +
                   data_options(tiny_cifar_root), tmp_path)
    assert 'NonFiniteLossError: non-finite loss at iteration 1: loss=nan' \
        in text
    assert len([line for line in scalars(work_dir) if 'loss' in line]) <= 1


# ----------------------------------------------------------------------
# settings that cannot work, named before the first step
# ----------------------------------------------------------------------
def test_nan_teacher_weights_are_named(teacher_run, tiny_cifar_root,
                                       tmp_path):
    state = torch.load(osp.join(teacher_run, 'epoch_2.pth'),
                       weights_only=True)['state_dict']
    state['head.fc.bias'][3] = float('nan')
    teacher = str(tmp_path / 'nan_teacher.pth')
    torch.save({'state_dict': state}, teacher)
    text = refused([TRAIN, KD, '--work-dir', str(tmp_path / 'kd'),
                    '--cfg-options', f'model.teacher_ckpt={teacher}'] +
                   data_options(tiny_cifar_root), tmp_path)
    assert f'teacher_ckpt "{teacher}" holds non-finite values ' \
        '(NaN/Inf) in 1 tensor(s): head.fc.bias' in text
    assert 'Epoch(' not in text


def test_nan_normalisation_is_named(tiny_cifar_root, tmp_path):
    text = refused([TRAIN, CLASSIFIER, '--work-dir', str(tmp_path / 'run'),
                    '--cfg-options', 'data_preprocessor.mean=[nan,0,0]'] +
                   data_options(tiny_cifar_root), tmp_path)
    assert 'data_preprocessor.mean=[nan, 0.0, 0.0] is not finite' in text
    assert 'Epoch(' not in text


def test_labels_beyond_num_classes_are_named(tiny_cifar_root, tmp_path):
    text = refused([TRAIN, CLASSIFIER, '--work-dir', str(tmp_path / 'run'),
                    '--cfg-options', 'model.head.num_classes=50'] +
                   data_options(tiny_cifar_root), tmp_path)
    assert 'train_dataloader.dataset (LocalCIFAR100, data_root=' \
        f'{tiny_cifar_root}) has labels up to 99 (100 classes, 100 ' \
        'present), but model.head.num_classes=50' in text
    assert 'IndexError' not in text


def test_method_settings_that_degenerate(teacher_run, tiny_cifar_root,
                                         tmp_path):
    base = [TRAIN, KD, '--work-dir', str(tmp_path / 'kd'), '--cfg-options',
            f'model.teacher_ckpt={teacher_run}/epoch_2.pth'] + \
        data_options(tiny_cifar_root)
    text = refused(base + ['model.distill_losses.loss_kd.type=CKDLoss',
                           'train_dataloader.batch_size=1'], tmp_path)
    assert 'model.distill_losses.loss_kd (CKDLoss) needs at least 2 ' \
        'samples per step, but train_dataloader.batch_size=1' in text


def test_teacher_hash_through_cfg_options(teacher_run, tiny_cifar_root,
                                          tmp_path):
    """The 12 digits summarize_results prints are accepted; an all-digit
    hash stays the string it was (it used to become an int)."""
    teacher = osp.join(teacher_run, 'epoch_2.pth')
    base = [TRAIN, KD, '--work-dir', str(tmp_path / 'kd'), '--cfg-options',
            f'model.teacher_ckpt={teacher}', 'train_cfg.max_epochs=1'] + \
        data_options(tiny_cifar_root)
    digits = '0' + '1' * 63
    text = refused(base + [f'model.teacher_ckpt_sha256={digits}'], tmp_path)
    assert f'but the config pins model.teacher_ckpt_sha256={digits}' in text
    assert 'AttributeError' not in text
    run_tool(base + [f'model.teacher_ckpt_sha256={file_sha256(teacher)[:12]}'],
             cwd=str(tmp_path))
    assert osp.exists(str(tmp_path / 'kd' / 'epoch_1.pth'))
