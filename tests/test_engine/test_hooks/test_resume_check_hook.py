"""ResumeCheckHook: the fingerprint written into every checkpoint, the
refusal of another run's checkpoint (and its override), the warnings about
settings the resumed state replaces, and the paths of a copied work dir."""
import logging
import os.path as osp
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import CheckpointHook
from mmengine.logging import MessageHub
from mmengine.optim.scheduler import MultiStepLR
from mmengine.registry import init_default_scope

from mmlogitkd.checkpoint import FINGERPRINT_KEY, ResumeMismatchError
from mmlogitkd.engine.hooks import ResumeCheckHook
from mmlogitkd.registry import MODELS

RESNET8 = 'mmlogitkd::_base_/models/cifar100/resnet8.py'


class Recorder(logging.Handler):

    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def distiller(temperature=4.0):
    init_default_scope('mmlogitkd')
    torch.manual_seed(0)
    return MODELS.build(dict(
        type='LogitDistiller', student=dict(cfg_path=RESNET8),
        teacher=dict(cfg_path=RESNET8), ce_weight=0.1,
        distill_losses=dict(loss_kd=dict(
            type='KDLoss', temperature=temperature, loss_weight=0.9))))


def fake_runner(model, work_dir='/runs/kd', lr=0.05, milestones=(150, ),
                resume=True):
    logger = logging.getLogger(f'resume_check_test_{id(model)}')
    recorder = Recorder()
    logger.addHandler(recorder)
    logger.setLevel(logging.INFO)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.SGD(params, lr=lr, momentum=0.9)
    scheduler = MultiStepLR(optimizer, milestones=list(milestones))
    return SimpleNamespace(
        model=model, work_dir=work_dir, logger=logger, recorder=recorder,
        _resume=resume,
        cfg=Config(dict(load_from=f'{work_dir}/epoch_2.pth', resume=resume,
                        model=dict(type='LogitDistiller'))),
        optim_wrapper=SimpleNamespace(optimizer=optimizer),
        param_schedulers=[scheduler],
        message_hub=MessageHub.get_instance(f'resume_check_{id(model)}'),
        hooks=[CheckpointHook(interval=1)])


def saved_checkpoint(runner):
    checkpoint = {'meta': {'epoch': 2, 'iter': 8},
                  'state_dict': runner.model.state_dict(),
                  'optimizer': runner.optim_wrapper.optimizer.state_dict(),
                  'param_schedulers': [s.state_dict()
                                       for s in runner.param_schedulers]}
    ResumeCheckHook().before_save_checkpoint(runner, checkpoint)
    return checkpoint


def test_fingerprint_is_saved_and_checked_on_resume():
    model = distiller()
    runner = fake_runner(model)
    checkpoint = saved_checkpoint(runner)
    assert checkpoint['meta'][FINGERPRINT_KEY]['model'] == 'LogitDistiller'
    ResumeCheckHook().after_load_checkpoint(runner, checkpoint)
    assert not [m for m in runner.recorder.messages if 'replaces' in m]


def test_another_method_is_refused_unless_allowed():
    checkpoint = saved_checkpoint(fake_runner(distiller()))
    runner = fake_runner(distiller(temperature=2.0))
    with pytest.raises(ResumeMismatchError) as error:
        ResumeCheckHook().after_load_checkpoint(runner, checkpoint)
    message = str(error.value)
    assert '"/runs/kd/epoch_2.pth" was written by another model or method' \
        in message
    assert 'method: checkpoint loss_kd=KDLoss(temperature=4.0' in message
    assert 'vs config loss_kd=KDLoss(temperature=2.0' in message
    assert '--allow-resume-mismatch' in message
    ResumeCheckHook(allow_mismatch=True).after_load_checkpoint(
        runner, checkpoint)
    assert any('Resuming anyway (allow_mismatch=True' in m
               for m in runner.recorder.messages)


def test_load_from_is_not_a_resume():
    checkpoint = saved_checkpoint(fake_runner(distiller()))
    runner = fake_runner(distiller(temperature=2.0), resume=False)
    ResumeCheckHook().after_load_checkpoint(runner, checkpoint)


def test_checkpoint_without_fingerprint_resumes_with_a_warning():
    runner = fake_runner(distiller())
    checkpoint = saved_checkpoint(runner)
    del checkpoint['meta'][FINGERPRINT_KEY]
    ResumeCheckHook().after_load_checkpoint(runner, checkpoint)
    assert any('has no mmlogitkd run fingerprint' in m
               for m in runner.recorder.messages)


def test_settings_replaced_by_the_resumed_state_are_named():
    """--cfg-options optim_wrapper.optimizer.lr=... used to be dropped on
    resume without a word."""
    checkpoint = saved_checkpoint(fake_runner(distiller()))
    # The saved schedulers went through SafeCheckpointHook's tensors-only
    # form (Counter as tagged pairs): both forms compare.
    checkpoint['param_schedulers'][0]['milestones'] = {
        '__counter__': [[150, 1]]}
    runner = fake_runner(distiller(), lr=0.2, milestones=(100, ))
    ResumeCheckHook().after_load_checkpoint(runner, checkpoint)
    warning = next(m for m in runner.recorder.messages if 'replaces' in m)
    assert 'optimizer lr: config 0.2 vs checkpoint 0.05' in warning
    assert 'param_scheduler[0] (MultiStepLR) milestones: config [[100, 1]] ' \
        'vs checkpoint [[150, 1]]' in warning
    assert 'momentum' not in warning
    assert 'load_from=/runs/kd/epoch_2.pth (without --resume)' in warning


def test_copied_work_dir_never_points_at_the_original(tmp_path):
    """MMEngine's CheckpointHook deletes the previous best checkpoint by the
    absolute path it resumed; in a copied work dir that was the original's."""
    original, copy = tmp_path / 'original', tmp_path / 'copy'
    copy.mkdir()
    (copy / 'best_accuracy_top1_epoch_1.pth').write_bytes(b'x')
    runner = fake_runner(distiller(), work_dir=str(copy))
    hub = runner.message_hub
    hub.update_info('best_ckpt',
                    str(original / 'best_accuracy_top1_epoch_1.pth'))
    hub.update_info('best_ckpt_loss', str(original / 'best_loss_epoch_1.pth'))
    hub.update_info('last_ckpt', str(copy / 'epoch_2.pth'))
    ResumeCheckHook().before_train(runner)
    assert hub.get_info('best_ckpt') == str(
        copy / 'best_accuracy_top1_epoch_1.pth')
    assert hub.get_info('best_ckpt_loss') is None  # no copy: forgotten
    assert hub.get_info('last_ckpt') == str(copy / 'epoch_2.pth')
    assert any('a copied or moved work dir' in m
               for m in runner.recorder.messages)
    assert osp.isdir(str(copy))
