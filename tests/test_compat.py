"""The stack workarounds of mmlogitkd.compat, each checked against the
upstream behaviour it covers."""
import logging
import os
import os.path as osp
import pickle
import subprocess
import sys

import pytest
import torch

import mmlogitkd
from mmlogitkd import compat
from mmlogitkd.checkpoint import loading
from mmlogitkd.utils.version_check import version_problems


def test_mmrazor_imports_with_stub():
    import mmrazor.engine  # noqa: F401
    import mmrazor.models  # noqa: F401
    stub = sys.modules[compat.QUANT_MODULE]
    assert getattr(stub, '__mmlogitkd_stub__', False)
    with pytest.raises(ImportError, match='mmrazor#632'):
        stub.QConfigHandler()


def test_mmrazor_fails_without_stub():
    """The upstream bug is still there: if this starts passing, the stub can
    go (open-mmlab/mmrazor#632)."""
    code = 'import mmrazor.models'
    result = subprocess.run([sys.executable, '-c', code],
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert 'is not installed properly' in result.stderr


def test_mmrazor_single_teacher_distill_train_step():
    """MMRazor's distillation machinery works after `import mmlogitkd`."""
    from mmengine.optim import OptimWrapper
    from mmengine.registry import DefaultScope
    from mmrazor.registry import MODELS as RAZOR_MODELS
    classifier = dict(
        _scope_='mmpretrain',
        type='ImageClassifier',
        backbone=dict(type='ResNet_CIFAR', depth=18, base_channels=4,
                      stem_channels=4),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=10, in_channels=32,
                  loss=dict(type='CrossEntropyLoss')))
    # In MMRazor's scope, whatever default scope earlier tests (or test
    # modules built at collection time) left behind.
    with DefaultScope.overwrite_default_scope('mmrazor'):
        algorithm = RAZOR_MODELS.build(dict(
            type='SingleTeacherDistill',
            architecture=classifier,
            teacher=classifier,
            data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor',
                                   num_classes=10),
            distiller=dict(
                type='ConfigurableDistiller',
                student_recorders=dict(fc=dict(type='ModuleOutputs',
                                               source='head.fc')),
                teacher_recorders=dict(fc=dict(type='ModuleOutputs',
                                               source='head.fc')),
                distill_losses=dict(loss_kl=dict(type='KLDivergence', tau=4)),
                loss_forward_mappings=dict(loss_kl=dict(
                    preds_S=dict(from_student=True, recorder='fc'),
                    preds_T=dict(from_student=False, recorder='fc'))))))
    from mmpretrain.structures import DataSample
    data = dict(inputs=[torch.randint(0, 255, (3, 16, 16), dtype=torch.uint8)
                        for _ in range(4)],
                data_samples=[DataSample().set_gt_label(i) for i in range(4)])
    wrapper = OptimWrapper(torch.optim.SGD(
        algorithm.architecture.parameters(), lr=0.1))
    log_vars = algorithm.train_step(data, wrapper)
    assert 'distill.loss_kl' in log_vars
    assert torch.isfinite(log_vars['loss'])


def test_mmengine_local_loader_goes_through_safe_load(tmp_path, monkeypatch):
    from mmengine.runner.checkpoint import CheckpointLoader
    monkeypatch.setattr(loading, '_trusted_paths', set())
    monkeypatch.delenv(loading.TRUST_ENV, raising=False)
    path = str(tmp_path / 'foreign.pth')
    torch.save({'state_dict': {'w': torch.ones(2)},
                'meta': {'obj': pickle.PickleError('not a tensor')}}, path)
    with pytest.raises(loading.UntrustedCheckpointError):
        CheckpointLoader.load_checkpoint(path, map_location='cpu')


def test_editable_install_finds_mim_configs():
    from mmengine.utils import get_installed_path
    path = get_installed_path('mmlogitkd')
    assert osp.samefile(path, osp.dirname(mmlogitkd.__file__))
    assert osp.isdir(osp.join(path, '.mim', 'configs', '_base_'))


def test_pkg_base_reference_resolves(tmp_path):
    """Another project's config can inherit an mmlogitkd config by package
    path once mmlogitkd is imported."""
    from mmengine.config import Config
    config = tmp_path / 'other_project.py'
    config.write_text("_base_ = 'mmlogitkd::_base_/models/cifar100/resnet8.py'"
                      "\nmodel = dict(head=dict(num_classes=10))\n")
    cfg = Config.fromfile(str(config))
    assert cfg.model.backbone.arch == 'resnet8'
    assert cfg.model.head.num_classes == 10


def test_version_check_messages_name_ranges():
    supported = {'mmengine': ('0.10.7', '1.0.0'), 'mmrazor': ('1.0.0', None)}
    problems = version_problems(
        supported, installed={'mmengine': '1.2.0', 'mmrazor': None})
    assert problems == [
        'mmengine 1.2.0 is installed, mmlogitkd supports '
        'mmengine>=0.10.7,<1.0.0',
        'mmrazor is not installed (need >=1.0.0)'
    ]
    assert version_problems(supported, installed={
        'mmengine': '0.10.7', 'mmrazor': '1.0.0'}) == []


def test_register_all_modules_sets_scope():
    from mmengine import DefaultScope

    from mmlogitkd.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    assert DefaultScope.get_current_instance().scope_name == 'mmlogitkd'


def test_loss_name_clash_with_mmrazor_is_reported():
    from torch import nn

    from mmlogitkd.registry import register_loss

    class DKDLoss(nn.Module):  # MMRazor 1.0.0 has its own DKDLoss
        pass

    with pytest.raises(KeyError, match='MMRazor already registers a "DKDLoss"'):
        register_loss(DKDLoss)


def _stderr_of(code):
    result = subprocess.run([sys.executable, '-W', 'default', '-c', code],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_mmcv_lite_warning_is_silenced_only_for_mmcv():
    """mmcv-lite still warns about MultiScaleDeformableAttention (if not,
    drop the filter); after `import mmlogitkd` it does not, while the same
    text warned from another module still shows."""
    message = 'Fail to import ``MultiScaleDeformableAttention``'
    assert message in _stderr_of('import mmcv.cnn.bricks.transformer')
    assert message not in _stderr_of('import mmlogitkd, mmcv.cnn.bricks.transformer')
    assert message in _stderr_of(
        'import mmlogitkd, warnings\n'
        f'warnings.warn({message!r} + " (user code)", UserWarning)')


def test_pkg_resources_warning_is_silenced_only_for_mmengine():
    lookup = ('from mmengine.utils import get_installed_path\n'
              'get_installed_path("mmengine")')
    assert 'pkg_resources is deprecated' in _stderr_of(lookup)
    assert 'pkg_resources is deprecated' not in _stderr_of(
        'import mmlogitkd\n' + lookup)
    # is_installed() (every pkg:: config path) reloads pkg_resources, which
    # warns again from importlib: one line per config of a training before
    reload = ('from mmengine.utils import is_installed\n'
              'is_installed("mmengine")\nis_installed("mmpretrain")')
    assert 'importlib/__init__.py' in _stderr_of(reload)
    assert 'pkg_resources is deprecated' not in _stderr_of(
        'import mmlogitkd\n' + reload)
    # Another module importing pkg_resources first is not ours to hide.
    assert 'pkg_resources is deprecated' in _stderr_of(
        'import mmlogitkd\nimport pkg_resources')


class _Records(logging.Handler):

    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _file_client_lines(logger, action):
    records = _Records()
    logger.addHandler(records)
    try:
        action()
    finally:
        logger.removeHandler(records)
    return [m for m in records.messages
            if m.startswith(compat.SILENCED_LOG_LINES)]


def test_mmengine_file_client_lines_silenced_only_from_its_checkpointing(
        tmp_path):
    from mmengine.fileio import FileClient
    from mmengine.logging import MMLogger
    from mmengine.runner.checkpoint import save_checkpoint

    logger = MMLogger.get_instance(f'compat-{tmp_path.name}')
    logger.propagate = False
    assert any(isinstance(f, compat.StackNoiseFilter)
               for f in logger.filters)
    MMLogger.get_instance(logger.instance_name)  # make it current

    def save():
        save_checkpoint({'w': torch.zeros(1)}, str(tmp_path / 'x.pth'))

    assert _file_client_lines(logger, save) == []
    # User code creating a FileClient still gets MMEngine's deprecation.
    assert _file_client_lines(
        logger, lambda: FileClient.infer_client(None, str(tmp_path)))
    # Upstream still logs it from save_checkpoint: if this fails, MMEngine
    # stopped and the filter can go.
    logger.filters = [f for f in logger.filters
                      if not isinstance(f, compat.StackNoiseFilter)]
    assert _file_client_lines(logger, save)


def test_kd_soft_ce_loss_works_without_mmcls():
    """MMRazor's KDSoftCELoss still imports soft_cross_entropy from mmcls
    (if this fails, the replacement can go); after `import mmlogitkd` it uses
    MMPretrain's and gives the hand-computed value."""
    # compat.py on its own (importing the package would apply everything)
    code = ('import importlib.util\n'
            f'spec = importlib.util.spec_from_file_location("c", '
            f'{compat.__file__!r})\n'
            'compat = importlib.util.module_from_spec(spec)\n'
            'spec.loader.exec_module(compat)\n'
            'compat.patch_mmrazor_import()\n'
            'from mmrazor.models.losses import kd_soft_ce_loss as m\n'
            'print(compat._is_mmrazor_placeholder(m.soft_cross_entropy))')
    result = subprocess.run([sys.executable, '-c', code],
                            capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == 'True', result.stderr
    from mmrazor.models.losses import KDSoftCELoss
    student = torch.tensor([[2.0, 0.0, -2.0]], dtype=torch.float64)
    teacher = torch.tensor([[0.0, 2.0, 0.0]], dtype=torch.float64)
    loss = KDSoftCELoss(tau=2.0, loss_weight=1.0)(student, teacher)
    # tau^2 * sum_c -softmax(t/tau)_c * log softmax(s/tau)_c, by hand:
    # t/2 = (0, 1, 0): p = (1, e, 1) / (2 + e)
    # s/2 = (1, 0, -1): log q = (1, 0, -1) - log(e + 1 + 1/e)
    import math
    e = math.e
    p = [1 / (2 + e), e / (2 + e), 1 / (2 + e)]
    log_z = math.log(e + 1 + 1 / e)
    log_q = [1 - log_z, -log_z, -1 - log_z]
    expected = 4 * -sum(pc * lq for pc, lq in zip(p, log_q))
    assert float(loss) == pytest.approx(expected, rel=1e-12)


def _distill_runner(tmp_path, root, val_loop):
    from mmengine.runner import Runner
    classifier = dict(
        _scope_='mmpretrain',
        type='ImageClassifier',
        backbone=dict(type='CIFARResNet', arch='resnet8', out_indices=(2, )),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=100, in_channels=64,
                  loss=dict(type='CrossEntropyLoss')))
    recorder = dict(fc=dict(type='ModuleOutputs', source='head.fc'))
    return Runner(
        model=dict(
            _scope_='mmrazor', type='SingleTeacherDistill',
            architecture=classifier, teacher=classifier,
            data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor',
                                   num_classes=100),
            distiller=dict(
                type='ConfigurableDistiller', student_recorders=recorder,
                teacher_recorders=recorder,
                distill_losses=dict(loss_kd=dict(type='KDLoss',
                                                 temperature=4.0)),
                loss_forward_mappings=dict(loss_kd=dict(
                    student_logits=dict(from_student=True, recorder='fc'),
                    teacher_logits=dict(from_student=False,
                                        recorder='fc'))))),
        work_dir=str(tmp_path),
        val_dataloader=dict(
            batch_size=50, num_workers=0,
            dataset=dict(type='mmpretrain.LocalCIFAR100', data_root=root,
                         split='test', pipeline=[dict(
                             type='mmpretrain.PackInputs')]),
            sampler=dict(type='DefaultSampler', shuffle=False)),
        val_evaluator=dict(type='mmpretrain.Accuracy', topk=(1, )),
        val_cfg=dict(type=val_loop),
        default_scope='mmrazor',
        default_hooks=dict(logger=None, checkpoint=None),
        experiment_name=f'{val_loop}-{tmp_path.name}')


@pytest.mark.parametrize('loop,keys', [
    ('SingleTeacherDistillValLoop',
     {'accuracy/top1', 'teacher.accuracy/top1'}),
    ('SelfDistillValLoop', {'student.accuracy/top1'})])
def test_mmrazor_val_loops_return_their_metrics(tmp_path, tiny_cifar_root,
                                                loop, keys):
    """MMRazor's distill val loops evaluate student (and teacher) with real
    classifiers; upstream `run` returns None under MMEngine >= 0.8 (if that
    changes, the wrapper can go), the patched one the logged metrics."""
    runner = _distill_runner(tmp_path, tiny_cifar_root, loop)
    metrics = runner.val()
    assert set(metrics) == keys
    val_loop = runner.val_loop
    assert val_loop.run.__wrapped__(val_loop) is None
    # The teacher pass of the student/teacher loop really is the teacher's.
    if loop == 'SingleTeacherDistillValLoop':
        with torch.no_grad():
            runner.model.teacher.head.fc.bias.fill_(0)
            runner.model.teacher.head.fc.bias[7] = 100.0
        metrics = runner.val()
        assert metrics['teacher.accuracy/top1'] == pytest.approx(1.0)


def test_mmrazor_distiller_gives_labels_to_our_dkd():
    """docs/mmrazor.md: a loss that needs labels (our DKDLoss, named
    DecoupledKDLoss in MMRazor's registry) gets them from a ModuleInputs
    recorder on the student head's loss module (its 2nd input)."""
    from mmengine.optim import OptimWrapper
    from mmpretrain.structures import DataSample
    from mmrazor.registry import MODELS as RAZOR_MODELS
    classifier = dict(
        _scope_='mmpretrain', type='ImageClassifier',
        backbone=dict(type='CIFARResNet', arch='resnet8', out_indices=(2, )),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=10, in_channels=64,
                  loss=dict(type='CrossEntropyLoss')))
    algorithm = RAZOR_MODELS.build(dict(
        _scope_='mmrazor', type='SingleTeacherDistill',
        architecture=classifier,
        teacher=classifier,
        data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor',
                               num_classes=10),
        distiller=dict(
            type='ConfigurableDistiller',
            student_recorders=dict(
                fc=dict(type='ModuleOutputs', source='head.fc'),
                gt_labels=dict(type='ModuleInputs',
                               source='head.loss_module')),
            teacher_recorders=dict(
                fc=dict(type='ModuleOutputs', source='head.fc')),
            distill_losses=dict(loss_dkd=dict(
                type='DecoupledKDLoss', temperature=4.0, alpha=1.0,
                beta=8.0, warmup_epochs=0)),
            loss_forward_mappings=dict(loss_dkd=dict(
                student_logits=dict(from_student=True, recorder='fc'),
                teacher_logits=dict(from_student=False, recorder='fc'),
                labels=dict(from_student=True, recorder='gt_labels',
                            data_idx=1))))))
    labels = [3, 1, 4, 1]
    data = dict(inputs=[torch.randint(0, 255, (3, 32, 32), dtype=torch.uint8)
                        for _ in labels],
                data_samples=[DataSample().set_gt_label(i) for i in labels])
    recorded = algorithm.distiller.student_recorders.get_recorder('gt_labels')
    wrapper = OptimWrapper(torch.optim.SGD(
        algorithm.architecture.parameters(), lr=0.1))
    log_vars = algorithm.train_step(data, wrapper)
    assert recorded.get_record_data(data_idx=1).tolist() == labels
    assert torch.isfinite(log_vars['distill.loss_dkd'])
