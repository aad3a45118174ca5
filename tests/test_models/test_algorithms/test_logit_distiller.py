"""LogitDistiller: the frozen teacher, the loss plumbing, checkpoint checks,
view checks, the non-finite guard and the fast paths."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope
from mmpretrain.structures import DataSample

from conftest import REPO_ROOT
from mmlogitkd.engine import AutocastOptimWrapper
from mmlogitkd.checkpoint import TeacherCheckpointError
from mmlogitkd.models.algorithms import LogitDistiller, NonFiniteLossError

from mmlogitkd.models.losses import functional
from mmlogitkd.registry import MODELS
from mmlogitkd.utils.config_checks import check_views

RESNET8 = 'mmlogitkd::_base_/models/cifar100/resnet8.py'
KD = dict(type='KDLoss', temperature=4.0, loss_weight=0.9)
CRLD = dict(type='CRLDLoss', temperature=4.0, weak_threshold=0.0,
            strong_threshold=0.0, within_view_weight=2.0,
            cross_view_weight=0.5)


@pytest.fixture(autouse=True)
def scope():
    init_default_scope('mmlogitkd')


def build(**kwargs):
    cfg = dict(type='LogitDistiller', student=dict(cfg_path=RESNET8),
               teacher=dict(cfg_path=RESNET8), ce_weight=0.1,
               distill_losses=dict(loss_kd=KD))
    cfg.update(kwargs)
    torch.manual_seed(0)
    return MODELS.build(cfg)


def batch(num_views=1, size=4, seed=0):
    generator = torch.Generator().manual_seed(seed)

    def images():
        return [torch.randint(0, 256, (3, 32, 32), dtype=torch.uint8,
                              generator=generator) for _ in range(size)]

    inputs = images() if num_views == 1 else [images()
                                              for _ in range(num_views)]
    samples = [DataSample().set_gt_label(i % 100) for i in range(size)]
    return dict(inputs=inputs, data_samples=samples)


def sgd(model, cls=OptimWrapper, **kwargs):
    params = [p for p in model.parameters() if p.requires_grad]
    return cls(torch.optim.SGD(params, lr=0.1, momentum=0.9), **kwargs)


def assert_only_student_changed(model, step):
    before = copy.deepcopy(model.state_dict())
    log_vars = step()
    after = model.state_dict()
    for key, value in before.items():
        changed = not torch.equal(value, after[key])
        if key.startswith('teacher.'):
            assert not changed, f'{key} changed'
    assert any(not torch.equal(before[k], after[k]) for k in before
               if k.startswith('student.') and before[k].is_floating_point())
    return log_vars


def test_teacher_frozen_and_in_eval():
    model = build().train()
    assert model.student.training
    assert not model.teacher.training
    assert not any(m.training for m in model.teacher.modules())
    assert not any(p.requires_grad for p in model.teacher.parameters())


def test_train_step_changes_only_student():
    model = build().train()
    log_vars = assert_only_student_changed(
        model, lambda: model.train_step(batch(), sgd(model)))
    assert set(log_vars) >= {'loss', 'loss_ce', 'loss_kd', 'train_acc_top1'}
    assert torch.isfinite(log_vars['loss'])
    assert log_vars['loss'].item() == pytest.approx(
        (log_vars['loss_ce'] + log_vars['loss_kd']).item(), rel=1e-5)


def test_loss_equals_functional_loss():
    model = build().train()
    data = model.data_preprocessor(batch(), True)
    labels = torch.cat([ds.gt_label for ds in data['data_samples']])
    losses = model.loss(data['inputs'], data['data_samples'])
    with torch.no_grad():
        teacher = model.teacher(data['inputs'], mode='tensor')
        student = model.student(data['inputs'], mode='tensor')
    expected_kd = 0.9 * 16 * functional.kl_per_sample(
        student, teacher, 4.0).mean()
    expected_ce = 0.1 * torch.nn.functional.cross_entropy(student, labels)
    # BN in train mode: the student forward above sees the same batch.
    assert losses['loss_kd'].item() == pytest.approx(expected_kd.item(),
                                                     rel=1e-5)
    assert losses['loss_ce'].item() == pytest.approx(expected_ce.item(),
                                                     rel=1e-5)


def test_two_views_ce_on_both_and_separate_forwards():
    model = build(distill_losses=dict(loss_crld=CRLD)).train()
    assert model.num_views == 2
    log_vars = assert_only_student_changed(
        model, lambda: model.train_step(batch(num_views=2), sgd(model)))
    assert 'loss_crld' in log_vars
    data = model.data_preprocessor(batch(num_views=2), True)
    weak, strong = data['inputs']
    labels = torch.cat([ds.gt_label for ds in data['data_samples']])
    losses = model.loss(data['inputs'], data['data_samples'])
    with torch.no_grad():
        s_w = model.student(weak, mode='tensor')
        s_s = model.student(strong, mode='tensor')
        t_w = model.teacher(weak, mode='tensor')
        t_s = model.teacher(strong, mode='tensor')
    ce = torch.nn.functional.cross_entropy
    assert losses['loss_ce'].item() == pytest.approx(
        0.1 * (ce(s_w, labels) + ce(s_s, labels)).item(), rel=1e-5)
    expected = model.distill_losses['loss_crld']([s_w, s_s], [t_w, t_s],
                                                 labels)
    assert losses['loss_crld'].item() == pytest.approx(expected.item(),
                                                       rel=1e-5)
    # Training accuracy is logged on the weak view.
    assert losses['train_acc_top1'].item() == pytest.approx(
        (s_w.argmax(1) == labels).float().mean().item() * 100)


def test_concat_student_forward_option():
    model = build(distill_losses=dict(loss_crld=CRLD),
                  student_forward='concat').train()
    log_vars = model.train_step(batch(num_views=2), sgd(model))
    assert torch.isfinite(log_vars['loss'])


def test_view_mismatch_errors():
    model = build(distill_losses=dict(loss_crld=CRLD)).train()
    with pytest.raises(ValueError, match='expect 2 view.*gives 1'):
        model.train_step(batch(num_views=1), sgd(model))
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'tests', 'data', 'configs',
                                   'tiny_kd.py'))
    check_views(cfg)  # single-view loss, single-view pipeline: fine
    cfg.model.distill_losses = dict(loss_crld=CRLD)
    with pytest.raises(ValueError, match='loss_crld.*expects 2 view.*'
                       'yields 1.*two-view dataset base'):
        check_views(cfg)
    cfg.model.distill_losses = dict(loss_kd=KD)
    cfg.train_dataloader.dataset.pipeline = [
        dict(type='MultiView', num_views=[1, 1], transforms=[[], []]),
        dict(type='PackInputs')]
    with pytest.raises(ValueError, match='train_views builds the training '
                       'views on the device.*also yields several views'):
        check_views(cfg)  # views from both the device and the pipeline
    cfg.data_preprocessor.train_views = None
    with pytest.raises(ValueError, match='loss_kd.*expects 1 view.*'
                       'pipeline yields 2'):
        check_views(cfg)
    cfg.train_dataloader.dataset.pipeline = [dict(type='PackInputs')]
    cfg.data_preprocessor.train_views = [[], []]
    with pytest.raises(ValueError, match='loss_kd.*expects 1 view.*'
                       'data_preprocessor.train_views yields 2'):
        check_views(cfg)


def test_num_classes_mismatch():
    with pytest.raises(ValueError, match='teacher.head.num_classes=10.*'
                       'student.head.num_classes=100'):
        build(teacher=dict(cfg_path=RESNET8, head=dict(num_classes=10)))


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match='must start with "loss_"'):
        build(distill_losses=dict(kd=KD))
    with pytest.raises(ValueError, match='student_forward'):
        build(student_forward='both')
    with pytest.raises(KeyError, match='NoSuchLoss'):
        build(distill_losses=dict(loss_x=dict(type='NoSuchLoss')))
    with pytest.raises(ValueError, match='temperature'):
        build(distill_losses=dict(loss_kd=dict(KD, temperature=0)))


def test_teacher_checkpoint_good_wrong_keys_wrong_hash(tmp_path):
    from mmlogitkd.checkpoint import file_sha256
    source = build()
    good = str(tmp_path / 'teacher.pth')
    torch.save({'state_dict': source.teacher.state_dict()}, good)
    digest = file_sha256(good)
    model = build(teacher_ckpt=good, teacher_ckpt_sha256=digest)
    assert model.teacher_ckpt_sha256 == digest
    for key, value in source.teacher.state_dict().items():
        assert torch.equal(model.teacher.state_dict()[key], value)

    with pytest.raises(TeacherCheckpointError,
                       match=r'sha256 .* model.teacher_ckpt_sha256=0{64}'):
        build(teacher_ckpt=good, teacher_ckpt_sha256='0' * 64)

    state = source.teacher.state_dict()
    state['extra.weight'] = torch.zeros(1)
    state.pop('head.fc.bias')
    bad = str(tmp_path / 'bad.pth')
    torch.save(state, bad)
    with pytest.raises(TeacherCheckpointError) as error:
        build(teacher_ckpt=bad)
    assert 'missing keys (1): head.fc.bias' in str(error.value)
    assert 'unexpected keys (1): extra.weight' in str(error.value)


def test_nonfinite_loss_stops_or_skips():
    model = build().train()
    MessageHub.get_current_instance().update_info('iter', 7)
    data = batch()
    with torch.no_grad():
        model.student.head.fc.bias.fill_(float('nan'))
    with pytest.raises(NonFiniteLossError,
                       match='iteration 7: .*loss_ce=nan'):
        model.train_step(data, sgd(model))
    skipper = build(nonfinite_loss='skip').train()
    with torch.no_grad():
        skipper.student.head.fc.bias.fill_(float('inf'))
    before = copy.deepcopy(skipper.state_dict())
    wrapper = OptimWrapper(torch.optim.SGD(
        [p for p in skipper.parameters() if p.requires_grad], lr=0.1))
    skipper.train_step(data, wrapper)
    for key, value in skipper.state_dict().items():
        if value.is_floating_point() and 'running' not in key:
            assert torch.equal(value, before[key]) or \
                torch.isinf(value).any(), key


def test_skipped_nan_batch_leaves_batchnorm_statistics_intact():
    """nonfinite_loss='skip' used to leave the NaN that the bad batch's
    forward wrote into the BN running statistics: the losses looked normal
    while evaluation was NaN. A NaN batch between good ones now leaves the
    model exactly as a run without that batch (plain SGD, so the zero step
    changes no parameter)."""
    skipper = build(nonfinite_loss='skip').train()
    reference = copy.deepcopy(skipper)

    def plain_sgd(model):
        return OptimWrapper(torch.optim.SGD(
            [p for p in model.parameters() if p.requires_grad], lr=0.1))

    good1, good2 = batch(seed=1), batch(seed=2)
    bad = dict(inputs=[torch.full((3, 32, 32), float('nan'))
                       for _ in range(4)],
               data_samples=batch(seed=3)['data_samples'])
    wrapper, reference_wrapper = plain_sgd(skipper), plain_sgd(reference)
    skipper.train_step(good1, wrapper)
    skipper.train_step(bad, wrapper)
    bn = skipper.student.backbone.bn1
    assert torch.isfinite(bn.running_mean).all()
    assert torch.isfinite(bn.running_var).all()
    skipper.train_step(good2, wrapper)
    reference.train_step(good1, reference_wrapper)
    reference.train_step(good2, reference_wrapper)
    after, expected = skipper.state_dict(), reference.state_dict()
    for key, value in expected.items():
        assert torch.equal(after[key], value), key
    inputs = torch.randn(4, 3, 32, 32)
    with torch.no_grad():
        logits = skipper.eval()(inputs, mode='tensor')
        assert torch.isfinite(logits).all()
        assert torch.equal(logits, reference.eval()(inputs, mode='tensor'))


def test_aekt_as_configured_distils_the_classification_logits():
    """The chosen design (configs/_base_/methods/aekt.py, no learned
    serialization layer): the AEKT term is the loss of the student's own
    logits, checked against the hand-derived formula of
    docs/methods/aekt.md on the model's actual logits."""
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', '_base_', 'methods',
                                   'aekt.py'))
    assert cfg.model.get('distill_head') is None
    loss_cfg = dict(cfg.model.distill_losses.loss_aekt, temperature=4.0,
                    beta=8.0, warmup_epochs=0)
    model = build(distill_losses=dict(loss_aekt=loss_cfg), ce_weight=1.0)
    assert model.distill_head is None
    data = model.data_preprocessor(batch(), True)
    losses = model.loss(data['inputs'], data['data_samples'])
    labels = torch.tensor([s.gt_label.item() for s in data['data_samples']])
    with torch.no_grad():
        s = model.student(data['inputs'], mode='tensor').double() / 4.0
        t = model.teacher(data['inputs'], mode='tensor').double() / 4.0
    p_s, p_t = s.softmax(1), t.softmax(1)
    b_s = p_s.gather(1, labels[:, None])[:, 0]
    b_t = p_t.gather(1, labels[:, None])[:, 0]
    ratio = (b_t / b_s).clamp(max=4.0)
    tckd = b_t * (b_t / b_s).log() + (1 - b_t) * ((1 - b_t) / (1 - b_s)).log()
    mask = torch.nn.functional.one_hot(labels, 100).bool()
    q_s = s.masked_fill(mask, -1e9).log_softmax(1)
    q_t = t.masked_fill(mask, -1e9).log_softmax(1)
    nckd = (q_t.exp() * (q_t - q_s)).sum(1)
    expected = 16 * (1.0 * ratio * tckd + 8.0 * nckd).mean()
    assert losses['loss_aekt'].item() == pytest.approx(expected.item(),
                                                       rel=1e-4)


def test_channels_last_autocast_and_amp_wrapper():
    model = build(channels_last=True, teacher_autocast='bfloat16').train()
    wrapper = sgd(model, AutocastOptimWrapper, dtype='bfloat16')
    log_vars = assert_only_student_changed(
        model, lambda: model.train_step(batch(), wrapper))
    assert torch.isfinite(log_vars['loss'])
    logits = model.teacher_logits([torch.randn(2, 3, 32, 32)])[0]
    assert logits.dtype == torch.float32


AEKT = dict(type='AEKTLoss', temperature=4.0, alpha=1.0, beta=8.0,
            warmup_epochs=0)


def test_distill_head_trains_with_student_and_is_not_exported():
    """An optional distill_head (the serialization layer of the AEKT
    ablation) trains with the student and is dropped on export."""
    from mmlogitkd.checkpoint import student_state_dict
    model = build(distill_losses=dict(loss_aekt=AEKT), ce_weight=1.0,
                  distill_head=dict(type='TaskSerialization',
                                    num_classes=100)).train()
    eye = torch.eye(100)
    assert torch.equal(model.distill_head.fc.weight, eye)
    # CE alone never touches the layer; the distillation term does.
    data = model.data_preprocessor(batch(), True)
    losses = model.loss(data['inputs'], data['data_samples'])
    losses['loss_ce'].backward(retain_graph=True)
    assert model.distill_head.fc.weight.grad is None
    losses['loss_aekt'].backward()
    assert model.distill_head.fc.weight.grad.abs().sum() > 0
    model.zero_grad()
    assert_only_student_changed(
        model, lambda: model.train_step(batch(), sgd(model)))
    assert not torch.equal(model.distill_head.fc.weight, eye)
    student, dropped = student_state_dict(model.state_dict())
    assert dropped == ['distill_head', 'teacher']
    assert not any('distill_head' in k or 'fc.weight' == k for k in student)
    assert set(student) == set(model.student.state_dict())


def test_teacher_from_mmpretrain_model_zoo_config():
    model = build(
        teacher=dict(cfg_path='mmpretrain::resnet/resnet18_8xb16_cifar10.py',
                     head=dict(num_classes=100)))
    assert type(model.teacher.backbone).__name__ == 'ResNet_CIFAR'
    assert model.teacher.head.num_classes == 100
    logits = model.teacher_logits([torch.randn(2, 3, 32, 32)])[0]
    assert logits.shape == (2, 100)


def test_teacher_url_and_pretrained_load_like_teacher_ckpt(tmp_path,
                                                          monkeypatch):
    """MMRazor configs name teachers by URL and write
    `cfg_path=..., pretrained=False`; `pretrained=True` loads the model-zoo
    weights like teacher_ckpt (strict, pinned by teacher_ckpt_sha256)."""
    from mmlogitkd.checkpoint import file_sha256
    from mmlogitkd.models import builder
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    source = build()
    path = str(tmp_path / 'teacher.pth')
    torch.save({'state_dict': source.teacher.state_dict()}, path)
    digest = file_sha256(path)

    model = build(teacher_ckpt='file://' + path, teacher_ckpt_sha256=digest,
                  student=dict(cfg_path=RESNET8, pretrained=False),
                  teacher=dict(cfg_path=RESNET8, pretrained=False))
    assert model.teacher_ckpt == 'file://' + path
    assert model.teacher_ckpt_sha256 == digest
    assert torch.equal(model.teacher.head.fc.weight,
                       source.teacher.head.fc.weight)
    with pytest.raises(TeacherCheckpointError,
                       match=r'cached as .*teacher.pth.*'
                       r'model.teacher_ckpt_sha256=0{64}'):
        build(teacher_ckpt='file://' + path, teacher_ckpt_sha256='0' * 64)

    monkeypatch.setattr(builder, 'model_zoo_weights',
                        lambda cfg_path, setting: path)
    zoo = build(teacher=dict(cfg_path=RESNET8, pretrained=True),
                teacher_ckpt_sha256=digest)
    assert zoo.teacher_ckpt == path and zoo.teacher_ckpt_sha256 == digest
    with pytest.raises(TeacherCheckpointError, match='teacher_ckpt_sha256'):
        build(teacher=dict(cfg_path=RESNET8, pretrained=True),
              teacher_ckpt_sha256='0' * 64)
    with pytest.raises(ValueError, match='model.teacher.pretrained and '
                       'model.teacher_ckpt both'):
        build(teacher=dict(cfg_path=RESNET8, pretrained=True),
              teacher_ckpt=path)


MMPRETRAIN_CONFIG = '''
# A plain MMPretrain config: MMPretrain's runtime and scope, mmlogitkd only
# through custom_imports, a top-level data_preprocessor without type.
_base_ = ['mmpretrain::_base_/default_runtime.py']
custom_imports = dict(imports=['mmlogitkd'], allow_failed_imports=False)
data_preprocessor = dict(num_classes=100, mean=[129.3, 124.1, 112.4],
                         std=[68.2, 65.4, 70.4], to_rgb=False)
model = dict(
    type='LogitDistiller',
    student=dict(
        type='ImageClassifier',
        backbone=dict(type='CIFARResNet', arch='resnet8', out_indices=(2, )),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=100, in_channels=64,
                  loss=dict(type='CrossEntropyLoss'))),
    teacher=dict(cfg_path='mmlogitkd::_base_/models/cifar100/resnet8.py',
                 pretrained=False),
    ce_weight=0.1,
    distill_losses=dict(loss_kd=dict(type='KDLoss', temperature=4.0,
                                     loss_weight=0.9)))
loader = dict(batch_size=50, num_workers=0, persistent_workers=False,
              dataset=dict(
    type='LocalCIFAR100', data_root='{root}', split='{{split}}',
    pipeline=[dict(type='PackInputs')]),
    sampler=dict(type='DefaultSampler', shuffle=False))
train_dataloader = dict(loader, dataset=dict(loader['dataset'],
                                             split='train'))
val_dataloader = dict(loader, dataset=dict(loader['dataset'], split='test'))
val_evaluator = dict(type='Accuracy', topk=(1, ))
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01, momentum=0.9))
train_cfg = dict(by_epoch=True, max_epochs=1, val_interval=1)
val_cfg = dict()
'''


def test_logit_distiller_in_a_plain_mmpretrain_config(tiny_cifar_root,
                                                      tmp_path):
    """type='LogitDistiller' in default_scope='mmpretrain' needs neither
    _scope_ nor a data_preprocessor type: MMPretrain's own tools/train.py
    trains it."""
    import mmpretrain

    from conftest import run_tool, scalars
    config = tmp_path / 'kd_in_mmpretrain.py'
    config.write_text(MMPRETRAIN_CONFIG.format(root=tiny_cifar_root))
    train = osp.join(osp.dirname(mmpretrain.__file__), '.mim', 'tools',
                     'train.py')
    work_dir = str(tmp_path / 'work')
    run_tool([train, str(config), '--work-dir', work_dir], cwd=str(tmp_path))
    lines = scalars(work_dir)
    assert any('loss_kd' in line for line in lines)
    assert any('accuracy/top1' in line for line in lines)
    dumped = Config.fromfile(osp.join(work_dir, 'kd_in_mmpretrain.py'))
    assert dumped.default_scope == 'mmpretrain'
