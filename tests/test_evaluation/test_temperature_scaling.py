"""Temperature scaling: hand-derived optima, a known temperature recovered,
folding into the classifier, the choice of calibration images."""
import math

import pytest
import torch
from mmengine.registry import init_default_scope

from mmlogitkd.evaluation.temperature_scaling import (calibration_indices,
                                                      fit_temperature,
                                                      fold_temperature,
                                                      split_stats)


def test_two_class_optimum_by_hand():
    """Four samples with logits (2, 0), three of class 0: the NLL optimum
    puts p(class 0) = sigmoid(2 / T) = 3/4, i.e. T = 2 / ln 3."""
    logits = torch.tensor([[2.0, 0.0]] * 4)
    labels = torch.tensor([0, 0, 0, 1])
    assert fit_temperature(logits, labels) == pytest.approx(
        2 / math.log(3), rel=1e-9)
    # One wrong in two: p = 1/2 needs T -> infinity, clipped with a warning.
    with pytest.warns(UserWarning, match='no better than uniform'):
        assert fit_temperature(logits[:2], torch.tensor([0, 1])) == 100.0


@pytest.mark.parametrize('true_temperature', [0.5, 2.5])
def test_known_temperature_recovered(true_temperature):
    """Labels drawn from softmax(z / T0): the fit recovers T0."""
    generator = torch.Generator().manual_seed(0)
    logits = 3 * torch.randn(40000, 10, generator=generator,
                             dtype=torch.float64)
    labels = torch.multinomial(torch.softmax(logits / true_temperature, 1),
                               1, generator=generator).squeeze(1)
    fitted = fit_temperature(logits, labels)
    assert fitted == pytest.approx(true_temperature, rel=0.03)
    stats = split_stats(logits, labels, fitted)
    assert stats.nll_after <= stats.nll_before
    assert stats.ece_after < 0.02  # calibrated by construction


def test_all_correct_is_clipped_with_a_warning():
    logits = torch.tensor([[5.0, 0.0], [0.0, 5.0]])
    with pytest.warns(UserWarning, match='memorised'):
        assert fit_temperature(logits, torch.tensor([0, 1])) == 0.01


def test_bad_inputs():
    with pytest.raises(ValueError, match='expected'):
        fit_temperature(torch.zeros(3, 2), torch.zeros(2))
    with pytest.raises(ValueError, match='NaN'):
        fit_temperature(torch.tensor([[float('nan'), 0.]]), torch.tensor([0]))


def test_fold_divides_logits_keeps_predictions():
    from mmlogitkd.models.builder import build_classifier
    init_default_scope('mmlogitkd')
    torch.manual_seed(0)
    model = build_classifier(dict(
        cfg_path='mmlogitkd::_base_/models/cifar100/resnet8.py')).eval()
    inputs = torch.randn(8, 3, 32, 32)
    with torch.no_grad():
        before = model(inputs, mode='tensor')
        fold_temperature(model, 2.5)
        after = model(inputs, mode='tensor')
    torch.testing.assert_close(after, before / 2.5, rtol=1e-5, atol=1e-6)
    assert torch.equal(after.argmax(1), before.argmax(1))
    with pytest.raises(ValueError, match='positive'):
        fold_temperature(model, 0)


def test_fold_refuses_heads_with_more_than_a_linear_layer():
    from mmlogitkd.registry import MODELS
    init_default_scope('mmlogitkd')
    model = MODELS.build(dict(
        type='ImageClassifier',
        backbone=dict(type='CIFARResNet', arch='resnet8', out_indices=(2, )),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='StackedLinearClsHead', num_classes=10,
                  in_channels=64, mid_channels=[32])))
    with pytest.raises(TypeError, match='got head StackedLinearClsHead'):
        fold_temperature(model, 2.0)


def test_calibration_images_never_overlap_training():
    indices, seen, text = calibration_indices(dict(indices=90), 100)
    assert indices == list(range(90, 100)) and seen is False
    assert 'left out of training' in text
    indices, seen, _ = calibration_indices(dict(indices=[0, 2, 4]), 5)
    assert indices == [1, 3] and not seen
    # Trained on everything: a seeded random tenth, flagged as seen.
    first, seen, text = calibration_indices({}, 1000, fraction=0.1, seed=3)
    assert seen and len(first) == 100 and 'trained on' in text
    assert first == calibration_indices({}, 1000, 0.1, 3)[0]
    assert first != calibration_indices({}, 1000, 0.1, 4)[0]
    all_used, seen, _ = calibration_indices(dict(indices=10), 10, 0.5)
    assert seen and len(all_used) == 5
