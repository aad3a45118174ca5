"""ChannelsLastHook: a classifier's 4-D weights go channels-last, in place;
a distiller (which has its own switch) is refused."""
import logging
from types import SimpleNamespace

import pytest
import torch
from torch import nn

import mmlogitkd  # noqa: F401
from mmlogitkd.engine.hooks import ChannelsLastHook
from mmlogitkd.registry import HOOKS


def runner_of(model):
    return SimpleNamespace(model=model, logger=logging.getLogger('test'))


def test_weights_go_channels_last_and_stay_the_same_parameters():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(),
                          nn.Conv2d(8, 4, 1), nn.Flatten(), nn.LazyLinear(2))
    x = torch.randn(2, 3, 6, 6)
    before = model(x)
    params = list(model.parameters())
    optimizer = torch.optim.SGD(params, lr=0.1)
    weight = model[0].weight
    assert not weight.is_contiguous(memory_format=torch.channels_last)

    HOOKS.build(dict(type='ChannelsLastHook')).before_run(runner_of(model))

    assert weight.is_contiguous(memory_format=torch.channels_last)
    assert model[3].weight.is_contiguous(memory_format=torch.channels_last)
    # the same Parameter objects: the optimizer still updates the model
    assert all(a is b for a, b in zip(params, model.parameters()))
    assert optimizer.param_groups[0]['params'][0] is model[0].weight
    # an NCHW input computes in channels-last and gives the same logits
    assert model[0](x).is_contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(model(x), before, rtol=1e-5, atol=1e-6)
    # checkpoints hold values: a state dict loads back into NCHW weights
    fresh = nn.Conv2d(3, 8, 3)
    fresh.load_state_dict({k[2:]: v for k, v in model.state_dict().items()
                           if k.startswith('0.')})
    torch.testing.assert_close(fresh.weight, model[0].weight)


def test_a_distiller_is_told_to_use_its_own_switch():
    model = nn.Conv2d(3, 8, 3)
    model.channels_last = False  # what LogitDistiller has
    with pytest.raises(ValueError, match='model.channels_last=True'):
        ChannelsLastHook().before_run(runner_of(model))
