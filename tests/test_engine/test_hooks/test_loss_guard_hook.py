"""LossGuardHook: a non-finite loss of any model and an exploding loss stop
the run, naming the iteration, the values and the last checkpoint."""
from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MessageHub

from mmlogitkd.engine.hooks import LossExplosionError, LossGuardHook
from mmlogitkd.models.algorithms import NonFiniteLossError


def fake_runner(last_ckpt=None):
    hub = MessageHub.get_instance('loss_guard_test')
    hub.update_info('last_ckpt', last_ckpt)
    wrapper = SimpleNamespace(get_lr=lambda: {'lr': [1e6]})
    return SimpleNamespace(iter=0, message_hub=hub, optim_wrapper=wrapper)


def feed(hook, runner, values):
    hook.before_train(runner)
    for step, value in enumerate(values):
        runner.iter = step
        hook.after_train_iter(runner, step, outputs={
            'loss': torch.tensor(value, requires_grad=True) * 1,
            'loss_cls': torch.tensor(value)})


def test_exploding_loss_stops_at_the_first_huge_step():
    """The lr=1e6 run of issue 14: 10 -> 4.2e9 -> 8.8e15."""
    runner = fake_runner(last_ckpt='/run/epoch_3.pth')
    with pytest.raises(LossExplosionError) as error:
        feed(LossGuardHook(), runner, [10.0, 4.2e9, 8.8e15])
    message = str(error.value)
    assert 'loss exploded at iteration 2: 4.2e+09 is 4.2e+08 times its ' \
        'running level 10 (median of the last 1 steps; LossGuardHook ' \
        'explosion_factor=1000)' in message
    assert 'the last checkpoint, /run/epoch_3.pth, is kept' in message
    assert 'optim_wrapper.optimizer.lr (now 1e+06)' in message
    assert 'None disables it' in message


def test_healthy_runs_pass():
    """Noisy, decreasing and spiking (50x) losses, and a loss that grows
    tenfold over a warm-up of the distillation weight, are not explosions."""
    feed(LossGuardHook(), fake_runner(),
         [4.6, 4.5, 4.7, 4.4, 230.0, 4.2] + [0.01 * (1 + i % 3)
                                             for i in range(300)])
    feed(LossGuardHook(), fake_runner(), [4.6 + i for i in range(40)])


def test_slow_geometric_growth_is_caught():
    """10x per step: an average would follow it; the median does not."""
    runner = fake_runner()
    values = [5.0] * 20 + [5.0 * 10 ** k for k in range(1, 10)]
    with pytest.raises(LossExplosionError, match='iteration 24: 5e\\+04'):
        feed(LossGuardHook(), runner, values)


def test_explosion_check_is_configurable():
    feed(LossGuardHook(explosion_factor=None), fake_runner(),
         [10.0, 4.2e9, 8.8e15])
    feed(LossGuardHook(explosion_factor=1e9), fake_runner(), [10.0, 4.2e9])
    with pytest.raises(ValueError, match='explosion_factor must be > 1'):
        LossGuardHook(explosion_factor=0.5)
    with pytest.raises(ValueError, match='window must be an integer >= 1'):
        LossGuardHook(window=0)


def test_non_finite_loss_of_a_plain_classifier_stops_the_run():
    runner = fake_runner()
    with pytest.raises(NonFiniteLossError) as error:
        feed(LossGuardHook(), runner, [4.6, float('nan')])
    message = str(error.value)
    assert 'non-finite loss at iteration 2: loss=nan (loss_cls=nan)' in \
        message
    assert 'no checkpoint has been written yet' in message
    assert 'data_preprocessor.mean/std' in message


def test_skipped_steps_do_not_lower_the_level():
    """LogitDistiller's nonfinite_loss='skip' logs a loss of 0."""
    feed(LossGuardHook(window=3), fake_runner(), [5.0, 0.0, 0.0, 0.0, 6.0])


def test_checkpoint_written_just_before_the_explosion_is_flagged():
    runner = fake_runner(last_ckpt='/run/epoch_1.pth')
    hook = LossGuardHook()
    feed(hook, runner, [10.0, 11.0])
    runner.iter = 2  # MMEngine: iterations done when the epoch ends
    hook.before_save_checkpoint(runner, {})
    with pytest.raises(LossExplosionError,
                       match='written just before this step'):
        hook.after_train_iter(runner, 2, outputs={'loss': torch.tensor(1e9)})
