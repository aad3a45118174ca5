"""Teacher loading: non-finite weights named at load time, the pinned hash
as a prefix or as an all-digit value."""
import pytest
import torch
from mmengine.registry import DefaultScope

from mmlogitkd.checkpoint import (TeacherCheckpointError, file_sha256,
                                  load_teacher_checkpoint)
from mmlogitkd.checkpoint.teacher import normalize_sha256

RESNET8 = 'mmlogitkd::_base_/models/cifar100/resnet8.py'


@pytest.fixture
def teacher():
    from mmlogitkd.models.builder import build_classifier
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmlogitkd'):
        return build_classifier(dict(cfg_path=RESNET8))


def test_nan_teacher_weights_are_named_at_load(teacher, tmp_path):
    """They used to surface as the calibration metric's "probs contains
    NaN" after the teacher evaluation."""
    state = teacher.state_dict()
    state['head.fc.weight'][0, 0] = float('nan')
    state['backbone.bn1.running_var'][0] = float('inf')
    path = str(tmp_path / 'teacher.pth')
    torch.save({'state_dict': state}, path)
    with pytest.raises(TeacherCheckpointError) as error:
        load_teacher_checkpoint(teacher, path)
    message = str(error.value)
    assert f'teacher_ckpt "{path}" holds non-finite values (NaN/Inf) ' \
        'in 2 tensor(s): backbone.bn1.running_var, head.fc.weight' in message


def test_sha256_prefix_of_12_digits_is_accepted(teacher, tmp_path):
    path = str(tmp_path / 'teacher.pth')
    torch.save({'state_dict': teacher.state_dict()}, path)
    digest = file_sha256(path)
    assert load_teacher_checkpoint(teacher, path, sha256=digest[:12]) == \
        digest
    assert load_teacher_checkpoint(teacher, path,
                                   sha256=digest.upper()) == digest
    wrong = ('0' if digest[0] != '0' else '1') + digest[1:12]
    with pytest.raises(TeacherCheckpointError,
                       match='pins \\(as a 12-digit prefix\\) '
                       f'teacher_ckpt_sha256={wrong}'):
        load_teacher_checkpoint(teacher, path, sha256=wrong)
    with pytest.raises(ValueError, match='too short \\(11 hex digits\\).*'
                       'at least 12'):
        load_teacher_checkpoint(teacher, path, sha256=digest[:11])


def test_sha256_values_that_are_not_hashes():
    with pytest.raises(ValueError, match='is not a hexadecimal SHA-256'):
        normalize_sha256('g' * 64)
    with pytest.raises(ValueError, match='has 65 hex digits'):
        normalize_sha256('a' * 65)
    with pytest.raises(ValueError, match='must be a hex string, got float'):
        normalize_sha256(1.5e63)


def test_all_digit_sha256_given_as_int():
    """An all-digit hash that a command line turned into an int (losing its
    leading zeros) is the hash it was."""
    digits = '0012' + '3' * 60
    assert normalize_sha256(int(digits)) == digits
    assert normalize_sha256(int('9' * 12)) == '9' * 12
