"""build_classifier: MMRazor's cfg_path/pretrained convention (False builds,
True loads the model-zoo weights of the cfg_path, a path or URL loads that
file), always strict and hashed."""
import pytest
import torch
from mmengine.registry import init_default_scope

from mmlogitkd.checkpoint import TeacherCheckpointError, file_sha256
from mmlogitkd.models import builder
from mmlogitkd.models.builder import (build_classifier, model_zoo_weights,
                                      split_pretrained)

RESNET8 = 'mmlogitkd::_base_/models/cifar100/resnet8.py'


@pytest.fixture(autouse=True)
def scope():
    init_default_scope('mmlogitkd')


def saved(tmp_path, model, name='resnet8.pth'):
    path = str(tmp_path / name)
    torch.save({'state_dict': model.state_dict()}, path)
    return path


def test_pretrained_false_builds_like_no_pretrained():
    torch.manual_seed(0)
    plain = build_classifier(dict(cfg_path=RESNET8))
    torch.manual_seed(0)
    model = build_classifier(dict(cfg_path=RESNET8, pretrained=False))
    assert type(model) is type(plain)
    assert not getattr(model, '_is_init', False)


def test_model_zoo_weights_are_those_of_the_model_index():
    # configs/resnet/metafile.yml of MMPretrain 1.2.0
    assert model_zoo_weights('mmpretrain::resnet/resnet18_8xb32_in1k.py') \
        == ('https://download.openmmlab.com/mmclassification/v0/resnet/'
            'resnet18_8xb32_in1k_20210831-fbbb1da6.pth')
    with pytest.raises(ValueError, match='model.student.pretrained=True: '
                       'the model index of mmlogitkd lists no weights'):
        split_pretrained(dict(cfg_path=RESNET8, pretrained=True),
                         'model.student')
    with pytest.raises(ValueError, match='needs a model-zoo cfg_path'):
        model_zoo_weights('configs/x.py')


def test_pretrained_true_loads_strictly_and_hashed(tmp_path, monkeypatch):
    torch.manual_seed(1)
    source = build_classifier(dict(cfg_path=RESNET8))
    path = saved(tmp_path, source)
    # The model index is that of a package without published weights:
    # pretend it lists our file (the lookup itself is tested above).
    monkeypatch.setattr(builder, 'model_zoo_weights',
                        lambda cfg_path, setting: 'file://' + path)
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    model = build_classifier(dict(cfg_path=RESNET8, pretrained=True,
                                  pretrained_sha256=file_sha256(path)))
    assert model._is_init  # the runner's init_weights leaves it alone
    for key, value in source.state_dict().items():
        assert torch.equal(model.state_dict()[key], value), key
    with pytest.raises(TeacherCheckpointError,
                       match='pins model.student.pretrained_sha256=0{64}'):
        build_classifier(dict(cfg_path=RESNET8, pretrained=True,
                              pretrained_sha256='0' * 64), 'model.student')


def test_pretrained_path_must_match(tmp_path):
    other = build_classifier(dict(cfg_path=RESNET8,
                                  head=dict(num_classes=10)))
    path = saved(tmp_path, other)
    with pytest.raises(TeacherCheckpointError) as error:
        build_classifier(dict(cfg_path=RESNET8, pretrained=path),
                         'model.student')
    message = str(error.value)
    assert 'model.student.pretrained' in message
    assert 'head.fc.weight: checkpoint (10, 64) vs model (100, 64)' in message


def test_bad_pretrained_values_are_named():
    with pytest.raises(TypeError, match='model.teacher.pretrained must be'):
        split_pretrained(dict(cfg_path=RESNET8, pretrained=1),
                         'model.teacher')
    with pytest.raises(ValueError, match='pretrained_sha256 is set'):
        split_pretrained(dict(cfg_path=RESNET8, pretrained_sha256='ab'))
    # Without cfg_path, pretrained belongs to the model type.
    cfg = dict(type='ImageClassifier', pretrained='x.pth')
    assert split_pretrained(cfg) == (cfg, None, None)
