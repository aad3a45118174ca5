"""Registration, the shared forward contract, input/hyperparameter errors,
the DKD/AEKT warm-up from MMEngine's MessageHub, and use from MMRazor's
``ConfigurableDistiller``."""
import inspect
import uuid

import pytest
import torch
from mmengine.logging import MessageHub

from mmlogitkd.models.losses import (AEKTLoss, BaseDistillLoss, CKDLoss,
                                     CRLDLoss, DKDLoss, KDLoss, MLKDLoss,
                                     functional, linear_warmup_factor)
from mmlogitkd.models.losses.kd_loss import kd_loss
from mmlogitkd.models.losses.dkd_loss import dkd_loss
from mmlogitkd.registry import MODELS
from loss_cases import plain_cases

#: class -> its plain case of the shared table (loss_cases.py), without the
#: type.
CONFIGS = {
    MODELS.get(case['type']): {k: v for k, v in case.items() if k != 'type'}
    for case in plain_cases().values()
}
EXPECTED = {  # (num_views, requires_labels)
    KDLoss: (1, False),
    DKDLoss: (1, True),
    MLKDLoss: (2, False),
    CRLDLoss: (2, False),
    CKDLoss: (1, False),
    AEKTLoss: (1, True)
}


def logits(seed=0, shape=(4, 5)):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


@pytest.fixture
def fresh_message_hub():
    """A MessageHub that is the current instance for the test only."""
    name = f'test-losses-{uuid.uuid4()}'
    hub = MessageHub.get_instance(name)
    yield hub
    MessageHub._instance_dict.pop(name, None)


@pytest.mark.parametrize('cls', sorted(CONFIGS, key=lambda c: c.__name__))
def test_registered_and_built_from_config(cls):
    from mmrazor.registry import MODELS as RAZOR_MODELS
    loss = MODELS.build(dict(type=cls.__name__, **CONFIGS[cls]))
    assert type(loss) is cls
    razor_name = 'DecoupledKDLoss' if cls is DKDLoss else cls.__name__
    assert RAZOR_MODELS.get(razor_name) is cls
    assert (cls.num_views, cls.requires_labels) == EXPECTED[cls]
    params = list(inspect.signature(cls.forward).parameters)
    assert params == ['self', 'student_logits', 'teacher_logits', 'labels']
    assert inspect.signature(cls.forward).parameters['labels'].default is None


def test_mmrazor_keeps_its_own_dkd_loss():
    import mmrazor.models  # noqa: F401  (must import after our registration)
    from mmrazor.models.losses import DKDLoss as RazorDKD
    from mmrazor.registry import MODELS as RAZOR_MODELS
    assert RAZOR_MODELS.get('DKDLoss') is RazorDKD
    assert RAZOR_MODELS.get('DecoupledKDLoss') is DKDLoss


@pytest.mark.parametrize('cls', [DKDLoss, AEKTLoss])
def test_label_errors(cls):
    loss = cls(**CONFIGS[cls])
    s, t = logits(0), logits(1)
    with pytest.raises(ValueError, match='needs hard labels.*labels=None'):
        loss(s, t)
    with pytest.raises(ValueError, match='Soft labels'):
        loss(s, t, torch.softmax(logits(2), 1))
    with pytest.raises(ValueError, match=r'labels must lie in \[0, 5\)'):
        loss(s, t, torch.tensor([0, 1, 2, 5]))
    with pytest.raises(ValueError, match='4 rows'):
        loss(s, t, torch.tensor([0, 1]))


@pytest.mark.parametrize('cls', [MLKDLoss, CRLDLoss])
def test_two_view_losses_refuse_single_tensors(cls):
    loss = cls(**CONFIGS[cls])
    with pytest.raises(ValueError, match='two-view loss.*single tensor'):
        loss(logits(0), logits(1))
    with pytest.raises(ValueError, match='must hold 2 views'):
        loss([logits(0)], [logits(1)])
    with pytest.raises(ValueError, match='weak and strong views'):
        loss([logits(0), logits(1, (3, 5))], [logits(2), logits(3, (3, 5))])


@pytest.mark.parametrize('cls', [KDLoss, DKDLoss, CKDLoss, AEKTLoss])
def test_single_view_losses_refuse_sequences(cls):
    loss = cls(**CONFIGS[cls])
    labels = torch.arange(4)
    with pytest.raises(ValueError, match='single-view loss.*2 views'):
        loss([logits(0), logits(1)], [logits(2), logits(3)], labels)
    with pytest.raises(ValueError, match='same shape'):
        loss(logits(0), logits(1, (4, 6)), labels)
    with pytest.raises(ValueError, match=r'\[B, C\]'):
        loss(logits(0)[0], logits(1)[0], labels)
    with pytest.raises(ValueError, match='floating point'):
        loss(torch.ones(4, 5, dtype=torch.long), logits(1), labels)


@pytest.mark.parametrize('cls,key,value,pattern', [
    (KDLoss, 'temperature', 0.0, 'temperature must be a finite number > 0'),
    (KDLoss, 'loss_weight', -1.0, 'loss_weight must be a finite number >= 0'),
    (DKDLoss, 'beta', -0.1, 'beta'),
    (DKDLoss, 'warmup_epochs', -1, 'warmup_epochs must be an integer >= 0'),
    (DKDLoss, 'warmup_epochs', 2.5, 'warmup_epochs'),
    (CRLDLoss, 'weak_threshold', 1.01, r'weak_threshold must lie in \[0, 1\]'),
    (CRLDLoss, 'strong_threshold', -0.1, 'strong_threshold'),
    (CRLDLoss, 'cross_view_weight', -2.0, 'cross_view_weight'),
    (CKDLoss, 'temperature', -1.0, 'temperature'),
    (AEKTLoss, 'max_ratio', 0.0, 'max_ratio'),
    (AEKTLoss, 'eps', 0.0, 'eps'),
    (MLKDLoss, 'temperatures',
     (4.0, 3.0, 0.0, 2.0, 6.0), r'temperatures\[2\]'),
    (MLKDLoss, 'temperatures', (4.0, 3.0), 'exactly 5 values'),
])
def test_hyperparameter_errors_name_the_argument(cls, key, value, pattern):
    with pytest.raises(ValueError, match=pattern):
        cls(**{**CONFIGS[cls], key: value})


@pytest.mark.parametrize('cls,text', [
    (KDLoss, 'KDLoss(temperature=4.0, loss_weight=0.9, standardize=False)'),
    (CKDLoss, 'CKDLoss(temperature=1.0, loss_weight=10.0, gather=False)'),
    (DKDLoss, 'DKDLoss(temperature=4.0, alpha=1.0, beta=8.0, '
     'warmup_epochs=0, loss_weight=1.0, standardize=False)'),
    (AEKTLoss, 'AEKTLoss(temperature=4.0, alpha=1.0, beta=8.0, '
     'warmup_epochs=0, max_ratio=4.0, loss_weight=1.0, eps=1e-08)'),
    (MLKDLoss, 'MLKDLoss(temperatures=(4.0, 3.0, 5.0, 2.0, 6.0), '
     'loss_weight=0.9, standardize=False, faithful=True)'),
    (CRLDLoss, 'CRLDLoss(temperature=4.0, weak_threshold=0.3, '
     'strong_threshold=0.2, within_view_weight=2.0, cross_view_weight=0.5, '
     'loss_weight=1.0, standardize=False)'),
])
def test_repr_lists_every_hyperparameter_with_defaults(cls, text):
    """The log shows every constructor argument, defaults included, in
    signature order, as validated floats/tuples."""
    assert repr(cls(**CONFIGS[cls])) == text


def test_loss_without_compute_loss_says_so():

    class Incomplete(BaseDistillLoss):
        pass

    with pytest.raises(NotImplementedError, match='Incomplete must implement'):
        Incomplete()(logits(0), logits(1))


# ----------------------------------------------------------------- warm-up --
@pytest.mark.parametrize('cls', [DKDLoss, AEKTLoss])
def test_warmup_follows_message_hub_epoch(cls, fresh_message_hub):
    loss = cls(**{**CONFIGS[cls], 'warmup_epochs': 20})
    s, t, y = logits(0), logits(1), torch.arange(4)
    full = cls(**{**CONFIGS[cls], 'warmup_epochs': 0})(s, t, y)
    # Outside a runner (no 'epoch' info) the factor is 1.
    assert linear_warmup_factor(20) == 1.0
    torch.testing.assert_close(loss(s, t, y), full)
    # The runner stores the 0-indexed epoch: info 0 is epoch 1.
    for info, factor in [(0, 0.05), (9, 0.5), (18, 0.95), (19, 1.0),
                         (100, 1.0)]:
        fresh_message_hub.update_info('epoch', info)
        assert linear_warmup_factor(20) == pytest.approx(factor)
        torch.testing.assert_close(loss(s, t, y), factor * full)
    assert linear_warmup_factor(0) == 1.0


def _forget_runner_globals(runner):
    """Drop the global instances a Runner registers under its experiment
    name (MessageHub, DefaultScope, logger, visualizer), so that later tests
    see neither its epoch nor its default scope."""
    from mmengine.logging import MMLogger
    from mmengine.registry import DefaultScope
    from mmengine.visualization import Visualizer
    name = runner.experiment_name
    for handler in list(runner.logger.handlers):
        handler.close()
    for manager in (MessageHub, DefaultScope, MMLogger, Visualizer):
        manager._instance_dict.pop(name, None)


def test_warmup_inside_an_mmengine_runner(tmp_path):
    """The factor seen during the iterations of each epoch of a real
    EpochBasedTrainLoop is min(e / W, 1) with e counted from 1."""
    from mmengine.model import BaseModel
    from mmengine.runner import Runner

    seen = []

    class ToyModel(BaseModel):

        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(3, 5)
            self.dkd = DKDLoss(temperature=4.0, alpha=1.0, beta=8.0, warmup_epochs=4)

        def forward(self, inputs, labels, mode='loss'):
            s = self.fc(torch.stack(inputs))
            seen.append(linear_warmup_factor(4))
            labels = torch.as_tensor(labels)
            return dict(loss_dkd=self.dkd(s, s.detach() * 2, labels))

    data = [dict(inputs=torch.randn(3), labels=i % 5) for i in range(4)]
    runner = Runner(model=ToyModel(),
                    work_dir=str(tmp_path),
                    train_dataloader=dict(dataset=data,
                                          sampler=dict(type='DefaultSampler',
                                                       shuffle=False),
                                          batch_size=2,
                                          num_workers=0),
                    optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
                    train_cfg=dict(by_epoch=True, max_epochs=5),
                    default_hooks=dict(logger=None, checkpoint=None),
                    experiment_name=f'test-warmup-{uuid.uuid4()}')
    try:
        runner.train()
    finally:
        _forget_runner_globals(runner)
    assert seen == [0.25, 0.25, 0.5, 0.5, 0.75, 0.75, 1.0, 1.0, 1.0, 1.0]


# ------------------------------------------------------------------ MMRazor --
def test_losses_named_in_mmrazor_configurable_distiller():
    """``loss_forward_mappings`` feed recorded logits (and labels) to our
    losses built by MMRazor's registry; the values equal the functional
    ones."""
    import mmrazor.models  # noqa: F401  (registers ConfigurableDistiller)
    from mmrazor.registry import MODELS as RAZOR_MODELS

    class Net(torch.nn.Module):

        def __init__(self, seed):
            super().__init__()
            torch.manual_seed(seed)
            self.fc = torch.nn.Linear(6, 5)
            self.label_sink = torch.nn.Identity()

        def forward(self, x, labels):
            self.label_sink(labels)
            return self.fc(x)

    def mapping(student_recorder, teacher_recorder, with_labels):
        forward = dict(student_logits=dict(from_student=True,
                                           recorder=student_recorder),
                       teacher_logits=dict(from_student=False,
                                           recorder=teacher_recorder))
        if with_labels:
            forward['labels'] = dict(from_student=True,
                                     recorder='labels',
                                     data_idx=0)
        return forward

    distiller = RAZOR_MODELS.build(
        dict(type='ConfigurableDistiller',
             _scope_='mmrazor',
             student_recorders=dict(logits=dict(type='ModuleOutputs',
                                                source='fc'),
                                    labels=dict(type='ModuleInputs',
                                                source='label_sink')),
             teacher_recorders=dict(
                 logits=dict(type='ModuleOutputs', source='fc')),
             distill_losses=dict(loss_kd=dict(type='KDLoss',
                                              temperature=4.0,
                                              loss_weight=0.9),
                                 loss_dkd=dict(type='DecoupledKDLoss',
                                               temperature=4.0,
                                               alpha=1.0,
                                               beta=8.0,
                                               warmup_epochs=0)),
             loss_forward_mappings=dict(
                 loss_kd=mapping('logits', 'logits', False),
                 loss_dkd=mapping('logits', 'logits', True))))
    student, teacher = Net(0), Net(1)
    distiller.prepare_from_student(student)
    distiller.prepare_from_teacher(teacher)
    x, y = torch.randn(8, 6), torch.arange(8) % 5
    with distiller.student_recorders, distiller.teacher_recorders:
        s = student(x, y)
        with torch.no_grad():
            t = teacher(x, y)
    losses = distiller.compute_distill_losses()
    assert set(losses) == {'loss_kd', 'loss_dkd'}
    torch.testing.assert_close(losses['loss_kd'],
                               0.9 * kd_loss(s, t, 4.0))
    torch.testing.assert_close(losses['loss_dkd'],
                               dkd_loss(s, t, y, 4.0, 1.0, 8.0))
    losses['loss_kd'].backward()
    assert student.fc.weight.grad is not None
    assert teacher.fc.weight.grad is None
