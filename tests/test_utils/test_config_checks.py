"""Checks of a whole config: CKD with a batch of one sample."""
import pytest
from mmengine.config import Config

from mmlogitkd.utils.config_checks import check_batch_size


def ckd_config(batch_size, gather=False):
    return Config(dict(
        model=dict(type='LogitDistiller', distill_losses=dict(
            loss_ckd=dict(type='CKDLoss', temperature=1.0, gather=gather))),
        train_dataloader=dict(batch_size=batch_size)))


def test_ckd_with_batch_size_one_is_refused(monkeypatch):
    """It used to log loss_ckd: 0.0000 on every step."""
    monkeypatch.delenv('WORLD_SIZE', raising=False)
    with pytest.raises(ValueError) as error:
        check_batch_size(ckd_config(1))
    message = str(error.value)
    assert message.startswith(
        'model.distill_losses.loss_ckd (CKDLoss) needs at least 2 samples '
        'per step, but train_dataloader.batch_size=1.')
    assert 'Set train_dataloader.batch_size >= 2' in message
    check_batch_size(ckd_config(2))
    with pytest.raises(ValueError, match='x 1 rank\\(s\\) gathered'):
        check_batch_size(ckd_config(1, gather=True))
    monkeypatch.setenv('WORLD_SIZE', '4')
    check_batch_size(ckd_config(1, gather=True))  # negatives of 4 ranks


def test_other_losses_accept_any_batch():
    check_batch_size(Config(dict(
        model=dict(distill_losses=dict(loss_kd=dict(type='KDLoss',
                                                    temperature=4.0))),
        train_dataloader=dict(batch_size=1))))
