"""Finding, selecting and checking the weights in a checkpoint, including
checkpoints written by earlier versions of mmlogitkd."""
import os.path as osp
from collections import OrderedDict

import pytest
import torch
from torch import nn

from conftest import REPO_ROOT
from mmlogitkd.checkpoint import (CheckpointError, CheckpointMismatchError,
                                  check_state_dict, compare_state_dicts,
                                  find_state_dict, is_distillation_state_dict,
                                  load_checkpoint_file, select_prefix,
                                  strip_wrapper_prefixes, student_state_dict)

LEGACY = osp.join(REPO_ROOT, 'tests', 'data', 'checkpoints',
                  'tiny_kd_v0.1.0_epoch_1.pth')


@pytest.mark.parametrize('wrap,where', [
    (lambda s: s, 'bare state dict'),
    (lambda s: {'state_dict': s, 'meta': {}}, "checkpoint['state_dict']"),
    (lambda s: {'model': s, 'epoch': 240}, "checkpoint['model']"),
])
def test_find_state_dict_in_every_layout(wrap, where):
    state = OrderedDict(w=torch.ones(2))
    found, location = find_state_dict(wrap(state))
    assert list(found) == ['w'] and location == where


def test_find_state_dict_of_a_pickled_module_and_bad_content():
    found, _ = find_state_dict({'model': nn.Linear(2, 3)})
    assert set(found) == {'weight', 'bias'}
    with pytest.raises(CheckpointError, match='non-tensor entries: epoch'):
        find_state_dict({'w': torch.ones(1), 'epoch': 3})
    with pytest.raises(CheckpointError, match='holds a list'):
        find_state_dict([1, 2])


def test_select_prefix_strips_and_names_what_is_there():
    state = {'teacher.a': 1, 'student.b': 2}
    assert select_prefix(state, 'teacher.') == OrderedDict(a=1)
    with pytest.raises(CheckpointError,
                       match='prefix "x." .*student., teacher.'):
        select_prefix(state, 'x.')


def test_strip_wrapper_prefixes():
    kept, ignored = strip_wrapper_prefixes(
        {'module.student.w': 1, 'module.teacher.w': 2})
    assert kept == OrderedDict(w=1) and ignored == ['module.teacher.w']
    kept, ignored = strip_wrapper_prefixes({'module.w': 1})
    assert kept == OrderedDict(w=1) and ignored == []


def test_one_mismatch_report_names_every_key():
    target = {'a': torch.zeros(2), 'b': torch.zeros(3), 'c': torch.zeros(1)}
    state = {'a': torch.zeros(2), 'b': torch.zeros(4), 'x': torch.zeros(1)}
    diff = compare_state_dicts(state, target)
    assert diff.missing == ['c'] and diff.unexpected == ['x']
    assert diff.shape_mismatches == ['b: checkpoint (4,) vs model (3,)']
    with pytest.raises(CheckpointMismatchError) as error:
        check_state_dict(state, target, '"f.pth"', 'the model', 'Hint.')
    assert str(error.value).splitlines() == [
        '"f.pth" does not match the model:',
        '  missing keys (1): c', '  unexpected keys (1): x',
        '  shape mismatches (1): b: checkpoint (4,) vs model (3,)', 'Hint.'
    ]
    assert error.value.missing == ['c']
    assert not compare_state_dicts(state, {'a': torch.zeros(2)},
                                   ()).missing


def test_student_of_a_distillation_state_dict():
    state = {'student.w': 1, 'teacher.w': 2, 'distill_head.fc.weight': 3}
    student, dropped = student_state_dict(state)
    assert student == OrderedDict(w=1)
    assert dropped == ['distill_head', 'teacher']
    assert is_distillation_state_dict(state)
    assert not is_distillation_state_dict({'backbone.w': 1})
    with pytest.raises(CheckpointError, match='no "student." weights'):
        student_state_dict({'backbone.w': 1})


def test_checkpoint_of_an_earlier_version_still_loads():
    """A runner checkpoint written by v0.1.0 (before the checkpoint package
    existed) loads weights-only, and its student and teacher are found."""
    checkpoint = load_checkpoint_file(LEGACY)
    state, location = find_state_dict(checkpoint)
    assert location == "checkpoint['state_dict']"
    student, dropped = student_state_dict(state)
    assert dropped == ['teacher']
    teacher = select_prefix(state, 'teacher.')
    assert set(teacher) == set(student)
    assert checkpoint['meta']['epoch'] == 1
