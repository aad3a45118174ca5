"""Checkpoints of runs: what a file is, strict loading for evaluation and
resume with the advice that fits the two kinds, and the run fingerprint."""
import os.path as osp

import pytest
import torch
from mmengine.registry import DefaultScope

from mmlogitkd.checkpoint import (CheckpointMismatchError,
                                  ResumeMismatchError, check_resume_checkpoint,
                                  checkpoint_kind, describe_checkpoint,
                                  fingerprint_differences,
                                  load_weights_strictly, run_fingerprint,
                                  student_state_dict)
from mmlogitkd.registry import MODELS

RESNET8 = 'mmlogitkd::_base_/models/cifar100/resnet8.py'
KD = dict(type='KDLoss', temperature=4.0, loss_weight=0.9)


@pytest.fixture(autouse=True)
def scope():
    # A context, so that later test modules see the default scope they set.
    with DefaultScope.overwrite_default_scope('mmlogitkd'):
        yield


def distiller(**kwargs):
    cfg = dict(type='LogitDistiller', student=dict(cfg_path=RESNET8),
               teacher=dict(cfg_path=RESNET8), ce_weight=0.1,
               distill_losses=dict(loss_kd=KD))
    cfg.update(kwargs)
    torch.manual_seed(0)
    return MODELS.build(cfg)


def classifier():
    from mmlogitkd.models.builder import build_classifier
    torch.manual_seed(1)
    return build_classifier(dict(cfg_path=RESNET8))


def run_checkpoint(model, epoch=2):
    return {'meta': {'epoch': epoch, 'iter': 8 * epoch},
            'state_dict': model.state_dict(),
            'optimizer': {'state': {}, 'param_groups': []}}


def save(tmp_path, name, content):
    path = str(tmp_path / name)
    torch.save(content, path)
    return path


def test_kinds_of_checkpoints():
    kd, plain = distiller(), classifier()
    assert checkpoint_kind(run_checkpoint(kd), kd.state_dict()) == \
        'distillation'
    assert checkpoint_kind(run_checkpoint(plain), plain.state_dict()) == \
        'classifier run'
    exported = {'state_dict': plain.state_dict(),
                'meta': {'converter': 'mmlogitkd tools/model_converters/'
                         'distill2student.py', 'source': 'run/epoch_2.pth'}}
    assert checkpoint_kind(exported, plain.state_dict()) == 'exported'
    assert 'exported by tools/model_converters/distill2student.py from ' \
        '"run/epoch_2.pth"' in describe_checkpoint(
            exported, plain.state_dict(), 'student.pth')
    converted = {'state_dict': {}, 'meta': {'converter': 'repdistiller'}}
    assert checkpoint_kind(converted, {}) == 'converted'
    assert checkpoint_kind(plain.state_dict(), plain.state_dict()) == \
        'weights'


def test_strict_test_loading_of_the_right_file(tmp_path):
    kd = distiller()
    path = save(tmp_path, 'epoch_2.pth', run_checkpoint(kd))
    other = distiller()
    with torch.no_grad():
        other.student.head.fc.bias.fill_(3.0)
    load_weights_strictly(other, path)
    assert torch.equal(other.student.head.fc.bias, kd.student.head.fc.bias)


def test_distillation_checkpoint_to_a_classifier_config(tmp_path):
    """It used to load non-strictly and report a random model's metrics."""
    (tmp_path / 'tiny_kd.py').write_text('# the run\'s dumped config\n')
    path = save(tmp_path, 'epoch_2.pth', run_checkpoint(distiller()))
    with pytest.raises(CheckpointMismatchError) as error:
        load_weights_strictly(classifier(), path, config='plain.py')
    message = str(error.value)
    assert f'"{path}" is a checkpoint of a distillation (LogitDistiller) ' \
        'run (epoch 2)' in message
    assert 'config "plain.py" builds a plain classifier' in message
    assert 'distillation config of its run (its work dir holds it: ' \
        f'{tmp_path / "tiny_kd.py"})' in message
    assert f'tools/model_converters/distill2student.py {path}' in message
    assert 'keys of the checkpoint start with: student., teacher.' in message


@pytest.mark.parametrize('kind', ['classifier run', 'exported'])
def test_classifier_checkpoint_to_a_distillation_config(tmp_path, kind):
    plain = classifier()
    content = run_checkpoint(plain) if kind == 'classifier run' else {
        'state_dict': student_state_dict(distiller().state_dict())[0],
        'meta': {'converter': 'distill2student.py'}}
    path = save(tmp_path, 'file.pth', content)
    with pytest.raises(CheckpointMismatchError) as error:
        load_weights_strictly(distiller(), path, config='kd.py')
    message = str(error.value)
    expected = 'a checkpoint of a plain classifier run' \
        if kind == 'classifier run' else 'a student exported by'
    assert expected in message
    assert 'config "kd.py" is a distillation config' in message
    assert 'Test this file with a plain classifier config of the student' \
        in message


def test_same_kind_other_model_names_every_key(tmp_path):
    state = distiller().state_dict()
    state.pop('student.head.fc.bias')
    state['student.head.fc.weight'] = torch.zeros(10, 64)
    path = save(tmp_path, 'x.pth', {'state_dict': state})
    with pytest.raises(CheckpointMismatchError) as error:
        load_weights_strictly(distiller(), path)
    message = str(error.value)
    assert 'missing keys (1): student.head.fc.bias' in message
    assert 'student.head.fc.weight: checkpoint (10, 64) vs model (100, 64)' \
        in message
    assert error.value.missing == ['student.head.fc.bias']


def test_non_finite_weights_are_refused_for_testing(tmp_path):
    kd = distiller()
    state = kd.state_dict()
    state['student.head.fc.bias'] = torch.full((100, ), float('nan'))
    path = save(tmp_path, 'nan.pth', {'state_dict': state})
    with pytest.raises(CheckpointMismatchError,
                       match=r'non-finite values \(NaN/Inf\) in 1 '
                       r'tensor\(s\): student.head.fc.bias'):
        load_weights_strictly(distiller(), path)


def test_resume_refuses_files_without_run_state():
    kd = distiller()
    weights_only = {'state_dict': kd.state_dict(),
                    'meta': {'converter': 'x'}}
    with pytest.raises(ResumeMismatchError,
                       match='holds weights only, without the optimizer'):
        check_resume_checkpoint(kd, weights_only, 'w.pth')
    plain = classifier()
    with pytest.raises(ResumeMismatchError) as error:
        check_resume_checkpoint(kd, run_checkpoint(plain), 'plain.pth',
                                config='kd.py')
    assert 'cannot resume the distillation run of "kd.py"' in \
        str(error.value)
    assert 'set model.teacher_ckpt=plain.pth' in str(error.value)
    with pytest.raises(ResumeMismatchError,
                       match='Resume it with the config of its run'):
        check_resume_checkpoint(plain, run_checkpoint(kd), 'kd.pth')
    check_resume_checkpoint(kd, run_checkpoint(kd), 'kd.pth')


def test_fingerprint_names_what_differs():
    kd = run_fingerprint(distiller())
    assert kd['model'] == 'LogitDistiller'
    assert kd['method'].startswith('loss_kd=KDLoss(temperature=4.0, '
                                   'loss_weight=0.9')
    assert 'CIFARResNet' in kd['student'] and 'parameters' in kd['student']
    assert fingerprint_differences(kd, run_fingerprint(distiller())) == []
    dkd = run_fingerprint(distiller(distill_losses=dict(loss_dkd=dict(
        type='DKDLoss', temperature=4.0, alpha=1.0, beta=8.0,
        warmup_epochs=0))))
    differences = fingerprint_differences(kd, dkd)
    assert len(differences) == 1
    assert differences[0].startswith('method: checkpoint loss_kd=KDLoss(')
    assert 'vs config loss_dkd=DKDLoss(' in differences[0]
    # A temperature given as an int is the same setting.
    same = distiller(distill_losses=dict(loss_kd=dict(
        type='KDLoss', temperature=4, loss_weight=0.9)))
    assert fingerprint_differences(kd, run_fingerprint(same)) == []
    plain = run_fingerprint(classifier(), dict(head=dict(
        loss=dict(type='CrossEntropyLoss', loss_weight=1))))
    assert plain['method'] == 'loss=CrossEntropyLoss(loss_weight=1.0)'
    assert 'model: checkpoint LogitDistiller vs config ImageClassifier' in \
        fingerprint_differences(kd, plain)


def test_url_checkpoints_still_go_through_mmengine(monkeypatch, tmp_path):
    from mmengine.runner.checkpoint import CheckpointLoader
    kd = distiller()
    calls = []

    def fake(filename, map_location=None):
        calls.append(filename)
        return run_checkpoint(kd)

    monkeypatch.setattr(CheckpointLoader, 'load_checkpoint', fake)
    load_weights_strictly(distiller(), 'https://example.org/kd.pth')
    assert calls == ['https://example.org/kd.pth']
    assert not osp.exists(str(tmp_path / 'kd.pth'))
