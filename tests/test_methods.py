"""mmlogitkd.methods: the one declaration of every method, and what the
rest of the project derives from it."""
import os.path as osp

import pytest

from conftest import REPO_ROOT
from mmlogitkd.methods import (DATASETS, METHODS, get_method,
                               method_of_loss_config)
from mmlogitkd.models.losses import BaseDistillLoss
from mmlogitkd.registry import MODELS


@pytest.mark.parametrize('method', METHODS, ids=lambda m: m.key)
def test_every_declaration_resolves(method):
    assert issubclass(method.loss_class, BaseDistillLoss)
    assert method.num_views == method.loss_class.num_views
    for dataset in DATASETS:
        assert osp.isfile(osp.join(REPO_ROOT, 'configs',
                                   method.base(dataset, package=False)))
        loss = method.loss_config(dataset)
        assert loss['type'] == method.loss
        assert bool(loss.get('standardize')) == (method.host is not None)
        model = method.load_base(dataset).model
        head = model.get('distill_head')
        assert (head or {}).get('type') == method.distill_head
    assert osp.isfile(osp.join(REPO_ROOT, 'docs', 'methods', method.doc))
    if method.host is not None:
        assert get_method(method.host).loss == method.loss
    if method.distill_head:
        assert MODELS.get(method.distill_head) is not None
    if method.pair_table:
        assert osp.isfile(osp.join(REPO_ROOT, 'tools', 'misc', 'zoo',
                                   f'{method.pair_table}.py'))


def test_keys_and_names_are_unique_and_looked_up_both_ways():
    assert len({m.key for m in METHODS}) == len(METHODS)
    assert len({m.name for m in METHODS}) == len(METHODS)
    assert get_method('kd-ls') is get_method('KD+LS')
    with pytest.raises(KeyError, match='unknown method "XD".*kd, dkd'):
        get_method('XD')
    with pytest.raises(ValueError, match='unknown dataset'):
        get_method('kd').base('cifar10')


def test_method_of_a_loss_config():
    assert method_of_loss_config(
        {'loss_kd': dict(type='KDLoss', standardize=True)}).name == 'KD+LS'
    assert method_of_loss_config(
        {'loss_crld': dict(type='CRLDLoss')}).name == 'CRLD'
    assert method_of_loss_config({'loss_x': dict(type='KDLoss')}) is None
    assert method_of_loss_config({}) is None
