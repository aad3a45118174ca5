"""SafeCheckpointHook: runner checkpoints that load with weights_only=True,
and the NaN guard."""
from collections import Counter

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer

from mmlogitkd.checkpoint import non_finite_tensors
from mmlogitkd.engine.hooks import NonFiniteWeightsError, SafeCheckpointHook


def _runner_like_checkpoint():
    buffer = HistoryBuffer()
    buffer.update(1.5)
    buffer.update(2.5, count=2)
    return {
        'meta': {'epoch': 2, 'best_score': np.float64(0.75),
                 'dataset_meta': {'classes': ('a', 'b')}},
        'state_dict': {'w': torch.ones(3)},
        'param_schedulers': [{'milestones': Counter({150: 1, 180: 1}),
                              'last_step': 3}],
        'message_hub': {'log_scalars': {'train/loss': buffer},
                        'runtime_info': {'iter': np.int64(16),
                                         'arr': np.arange(3)}},
    }


def test_round_trip_through_weights_only_load(tmp_path):
    checkpoint = _runner_like_checkpoint()
    path = str(tmp_path / 'ckpt.pth')
    with pytest.raises(Exception):  # the upstream problem
        torch.save(checkpoint, path)
        torch.load(path, weights_only=True)
    hook = SafeCheckpointHook()
    hook.before_save_checkpoint(None, checkpoint)
    torch.save(checkpoint, path)
    loaded = torch.load(path, weights_only=True)
    hook.after_load_checkpoint(None, loaded)
    buffer = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(buffer, HistoryBuffer)
    logs, counts = buffer.data
    np.testing.assert_array_equal(logs, [1.5, 2.5])
    np.testing.assert_array_equal(counts, [1, 2])
    assert buffer.mean() == pytest.approx(4.0 / 3.0)  # sum(values) / sum(counts)
    assert loaded['meta']['best_score'] == 0.75
    assert loaded['meta']['dataset_meta']['classes'] == ('a', 'b')
    np.testing.assert_array_equal(
        loaded['message_hub']['runtime_info']['arr'], np.arange(3))
    assert loaded['message_hub']['runtime_info']['iter'] == 16
    milestones = loaded['param_schedulers'][0]['milestones']
    assert isinstance(milestones, Counter)
    assert milestones == Counter({150: 1, 180: 1})


def test_nan_weights_are_never_written():
    checkpoint = {'state_dict': {'ok': torch.ones(2),
                                 'bad': torch.tensor([1.0, float('nan')]),
                                 'count': torch.tensor(3)}}
    assert non_finite_tensors(checkpoint['state_dict']) == ['bad']
    with pytest.raises(NonFiniteWeightsError, match='bad'):
        SafeCheckpointHook().before_save_checkpoint(None, checkpoint)
