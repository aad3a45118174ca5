"""The hooks around a distillation run, in process: the teacher evaluated
once before training (teacher_eval.json, the near-chance warning), the
losses' diagnostics logged as scalars, and CRLD's warning when its
confidence gate keeps almost no sample for a whole epoch."""
import json
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from conftest import CONFIGS, data_options, run_tool, scalars, TRAIN
from mmlogitkd.engine.hooks import DistillDiagnosticsHook, TeacherEvalHook
from mmlogitkd.models.losses import CRLDLoss


def tiny_runner(data_root, work_dir, **model):
    cfg = Config.fromfile(osp.join(CONFIGS, 'tiny_kd.py'))
    cfg.work_dir = str(work_dir)
    cfg.launcher = 'none'
    cfg.model.update(model)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[key].dataset.data_root = data_root
    return Runner.from_cfg(cfg)


def test_teacher_is_evaluated_once_and_a_useless_one_is_named(
        tiny_cifar_root, tmp_path):
    runner = tiny_runner(tiny_cifar_root, tmp_path)
    hook = next(h for h in runner.hooks if isinstance(h, TeacherEvalHook))
    warnings = []
    runner.logger.warning = warnings.append
    hook.before_train(runner)
    with open(tmp_path / 'teacher_eval.json') as f:
        record = json.load(f)
    # an untrained teacher (no checkpoint): near chance, 1 % of 100 classes
    assert record['accuracy/top1'] < 5.0
    assert record['checkpoint'] is None
    [warning] = warnings
    assert 'The teacher reaches only' in warning
    assert 'model.teacher_ckpt=None' in warning


class _Logger:
    def __init__(self):
        self.messages = []

    def warning(self, message):
        self.messages.append(message)


class _Runner:
    def __init__(self, model):
        self.model, self.epoch, self.logger = model, 2, _Logger()


def test_crld_low_keep_warning_names_the_threshold():
    loss = CRLDLoss(temperature=4.0, weak_threshold=0.9,
                    strong_threshold=0.2, within_view_weight=2.0,
                    cross_view_weight=0.5).train()
    # teacher logits: 3 of 40 samples confident (p_max ~ 1), the rest flat
    weak = torch.zeros(40, 10)
    weak[:3, 0] = 20.0
    strong = torch.zeros(40, 10)
    strong[:, 0] = 5.0  # p_max = e^5 / (e^5 + 9) ~ 0.94: passes 0.2
    students = [torch.randn(40, 10), torch.randn(40, 10)]
    loss(students, [weak, strong])
    assert loss.diagnostics()['keep_weak'].item() == pytest.approx(3 / 40)
    assert loss.diagnostics()['keep_strong'].item() == 1.0
    model = torch.nn.Module()
    model.distill_losses = torch.nn.ModuleDict(dict(loss_crld=loss))
    runner = _Runner(model)
    DistillDiagnosticsHook().after_train_epoch(runner)
    [message] = runner.logger.messages
    assert message.startswith('epoch 3, loss_crld: CRLDLoss: only 7.5% ')
    assert 'weak_threshold=0.9' in message
    # mean max-probability of the weak teacher: (3 x ~1 + 37 x 0.1) / 40
    confidence = torch.softmax(weak, 1).amax(1).mean().item()
    assert 0.16 < confidence < 0.17
    assert f'mean max-probability on the weak view is {confidence:.3f}' \
        in message
    assert 'strong_threshold' not in message
    # the counts start again with the next epoch
    DistillDiagnosticsHook().after_train_epoch(runner)
    assert len(runner.logger.messages) == 1


def test_diagnostics_are_logged_next_to_the_losses(tiny_cifar_root,
                                                   tmp_path):
    """DKD's warm-up factor reaches scalars.json with its value: W = 4, so
    epoch 1 logs 0.25 and epoch 2 logs 0.5."""
    config = tmp_path / 'tiny_dkd.py'
    config.write_text(
        f"_base_ = ['{osp.join(CONFIGS, 'tiny_kd.py')}']\n"
        'model = dict(distill_losses=dict(_delete_=True, loss_dkd=dict('
        "type='DKDLoss', temperature=4.0, alpha=1.0, beta=8.0, "
        'warmup_epochs=4)))\n')
    work_dir = str(tmp_path / 'run')
    run_tool([TRAIN, str(config), '--work-dir', work_dir, '--cfg-options'] +
             data_options(tiny_cifar_root), cwd=str(tmp_path))
    train = [line for line in scalars(work_dir) if 'loss_dkd' in line]
    by_epoch = {line['epoch']: line['dkd/warmup'] for line in train}
    assert by_epoch == {1: pytest.approx(0.25), 2: pytest.approx(0.5)}


def test_distiller_returns_the_recorded_diagnostics():
    from mmengine.registry import init_default_scope
    from mmpretrain.structures import DataSample

    from mmlogitkd.registry import MODELS
    init_default_scope('mmlogitkd')
    model = MODELS.build(dict(
        type='LogitDistiller',
        student=dict(cfg_path='mmlogitkd::_base_/models/cifar100/resnet8.py'),
        teacher=dict(cfg_path='mmlogitkd::_base_/models/cifar100/resnet8.py'),
        distill_losses=dict(loss_ckd=dict(type='CKDLoss', temperature=1.0))))
    inputs = torch.randn(4, 3, 32, 32)
    samples = [DataSample().set_gt_label(i) for i in range(4)]
    losses = model.loss(inputs, samples)
    student = model.student(inputs, mode='tensor')
    teacher = model.teacher(inputs, mode='tensor')
    expected = torch.nn.functional.cosine_similarity(student, teacher).mean()
    assert losses['ckd/pos_sim'].item() == pytest.approx(expected.item(),
                                                         rel=1e-5)
    total, log_vars = model.parse_losses(losses)
    # logged, never summed into the total
    assert 'ckd/pos_sim' in log_vars
    assert total.item() == pytest.approx(
        (losses['loss_ce'] + losses['loss_ckd']).item(), rel=1e-6)


def test_cache_key_code_fingerprint_follows_the_view_and_teacher_code(
        tmp_path, monkeypatch):
    """An edit to a file of the preprocessor's package or of a teacher layer
    changes the fingerprint (so the cache recomputes); torch's own layers
    are left to the torch version in the key."""
    import inspect
    import os.path as osp

    import torch.nn as nn

    from mmlogitkd.engine.hooks.teacher_cache_hook import code_fingerprint
    from mmlogitkd.models.data_preprocessors import batch_augment
    from mmlogitkd.models.data_preprocessors import \
        MultiViewClsDataPreprocessor as Preprocessor
    source = osp.realpath(inspect.getsourcefile(batch_augment))
    preprocessor = Preprocessor.__new__(Preprocessor)
    nn.Module.__init__(preprocessor)
    teacher = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU())
    before = code_fingerprint(preprocessor, teacher)
    assert before == code_fingerprint(preprocessor, teacher)
    # torch-only modules add nothing
    assert code_fingerprint(preprocessor) == before
    real_open = open

    def edited_open(path, *args, **kwargs):
        if osp.realpath(path) == source:
            copy = tmp_path / 'edited.py'
            copy.write_bytes(real_open(path, 'rb').read() + b'\n# edit\n')
            return real_open(copy, *args, **kwargs)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr('builtins.open', edited_open)
    assert code_fingerprint(preprocessor, teacher) != before
