"""InputCheckHook: labels beyond num_classes and a NaN data_preprocessor
mean/std fail before the first step, naming the settings."""
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmlogitkd.engine.hooks import InputCheckError
from mmlogitkd.engine.hooks.input_check_hook import (check_label_range,
                                                     check_normalization)
from mmlogitkd.registry import MODELS

RESNET8 = 'mmlogitkd::_base_/models/cifar100/resnet8.py'


class Labels:
    """A dataset with the MMEngine ``get_data_info`` interface."""

    def __init__(self, labels, data_root='data/x'):
        self.labels, self.data_root = labels, data_root

    def __len__(self):
        return len(self.labels)

    def get_data_info(self, index):
        return {'gt_label': self.labels[index]}


def classifier(**preprocessor):
    from mmlogitkd.models.builder import build_classifier
    init_default_scope('mmlogitkd')
    cfg = dict(cfg_path=RESNET8)
    if preprocessor:
        cfg['data_preprocessor'] = dict(type='ClsDataPreprocessor',
                                        **preprocessor)
    return build_classifier(cfg)


def distiller():
    init_default_scope('mmlogitkd')
    return MODELS.build(dict(
        type='LogitDistiller', student=dict(cfg_path=RESNET8),
        teacher=dict(cfg_path=RESNET8), distill_losses=dict(
            loss_kd=dict(type='KDLoss', temperature=4.0))))


def test_labels_beyond_num_classes_are_named():
    """They used to fail at the first step with "IndexError: Target 120 is
    out of bounds" (a device-side assert on GPU)."""
    dataset = Labels(list(range(121)))
    with pytest.raises(InputCheckError) as error:
        check_label_range(classifier(), dataset, 'train_dataloader')
    message = str(error.value)
    assert 'train_dataloader.dataset (Labels, data_root=data/x) has labels ' \
        'up to 120 (121 classes, 121 present), but model.head.num_classes=' \
        '100' in message
    with pytest.raises(InputCheckError) as error:
        check_label_range(distiller(), dataset, 'val_dataloader')
    assert 'model.student.head.num_classes=100' in str(error.value)
    assert 'and model.teacher.head.num_classes' in str(error.value)
    with pytest.raises(InputCheckError, match='negative labels'):
        check_label_range(classifier(), Labels([0, -1]), 'test_dataloader')
    check_label_range(classifier(), Labels(list(range(100))), 'x')
    check_label_range(classifier(), Labels([[1, 2]]), 'multi-label: skip')


def test_nan_mean_is_named():
    """It used to surface as the calibration metric's "probs contains
    NaN"."""
    model = classifier(mean=[float('nan'), 0.0, 0.0], std=[1.0, 1.0, 1.0])
    with pytest.raises(InputCheckError) as error:
        check_normalization(model)
    assert str(error.value).startswith(
        'model.data_preprocessor.mean=[nan, 0.0, 0.0] is not finite')
    cfg = Config(dict(data_preprocessor=dict(mean=[1, 2, 3]), model=dict()))
    with pytest.raises(InputCheckError,
                       match=r'^data_preprocessor.mean=\[nan'):
        check_normalization(model, cfg)
    model = classifier(mean=[0.0, 0.0, 0.0], std=[1.0, 0.0, 1.0])
    with pytest.raises(InputCheckError,
                       match=r'model.data_preprocessor.std=\[1.0, 0.0, 1.0\] '
                       'has a value <= 0'):
        check_normalization(model)
    check_normalization(classifier(mean=[1.0, 2, 3], std=[1.0, 1, 1]))
    check_normalization(distiller())  # no normalisation configured
