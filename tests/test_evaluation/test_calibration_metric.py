"""``CalibrationMetric`` through MMEngine's ``Evaluator`` and registries."""
import math

import pytest
import torch
from mmengine.evaluator import Evaluator
from mmengine.registry import init_default_scope
from mmpretrain.structures import DataSample

import mmlogitkd  # noqa: F401  (registers the metric)
from mmlogitkd.evaluation import CalibrationMetric, PROBABILITY_FLOOR


def make_samples(scores, labels):
    return [
        DataSample().set_pred_score(torch.tensor(score)).set_gt_label(label)
        for score, label in zip(scores, labels)
    ]


def build_evaluator(scope: str) -> Evaluator:
    init_default_scope(scope)
    return Evaluator([
        dict(type='Accuracy', topk=(1, )),
        dict(type='CalibrationMetric', num_bins=2)
    ])


@pytest.mark.parametrize('scope', ['mmpretrain', 'mmlogitkd'])
def test_metric_through_evaluator_matches_hand_values(scope):
    # Two batches. Confidences 0.5 (wrong), 0.6 (right), 0.9 (right),
    # 0.9 (wrong): with 2 bins ECE = 1/4 * 0.5 + 3/4 * |2/3 - 0.8| = 0.225.
    # NLL = mean(-log p[y]) = mean(log 2, -log .6, -log .9, -log .1).
    evaluator = build_evaluator(scope)
    batches = [
        make_samples([[0.5, 0.5], [0.4, 0.6]], [1, 1]),
        make_samples([[0.9, 0.1], [0.9, 0.1]], [0, 1]),
    ]
    for samples in batches:
        evaluator.process(samples, data_batch=None)
    metrics = evaluator.evaluate(4)
    assert metrics['calibration/ece'] == pytest.approx(0.225)
    expected_nll = (math.log(2) - math.log(0.6) - math.log(0.9)
                    - math.log(0.1)) / 4
    assert metrics['calibration/nll'] == pytest.approx(expected_nll, rel=1e-6)
    # 0.5 vs 0.5 is a tie; arg-max takes class 0, which is wrong.
    assert metrics['accuracy/top1'] == pytest.approx(50.0)


def test_dict_samples_and_default_prefix():
    metric = CalibrationMetric(num_bins=15)
    assert metric.prefix == 'calibration'
    samples = [s.to_dict() for s in make_samples(
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], [0, 0])]
    metric.process(None, samples)
    # keeps three numbers per sample, nothing of size C
    assert metric.results[0] == pytest.approx((1.0, True, 0.0))
    result = metric.evaluate(2)
    assert result['calibration/ece'] == pytest.approx(0.5)
    assert result['calibration/nll'] == pytest.approx(
        -math.log(PROBABILITY_FLOOR) / 2)


def test_uniform_scores_nll_is_log_c():
    metric = CalibrationMetric(num_bins=15, prefix='teacher')
    metric.process(None, make_samples([[0.1] * 10] * 3, [0, 4, 9]))
    result = metric.evaluate(3)
    assert result['teacher/nll'] == pytest.approx(math.log(10), rel=1e-6)


def test_missing_pred_score_is_a_clear_error():
    metric = CalibrationMetric(num_bins=15)
    sample = DataSample().set_gt_label(0).set_pred_label(1).to_dict()
    with pytest.raises(KeyError, match='pred_score'):
        metric.process(None, [sample])


def test_multi_label_is_rejected():
    metric = CalibrationMetric(num_bins=15)
    sample = DataSample().set_pred_score(torch.tensor([0.5, 0.5]))
    sample.set_gt_label([0, 1])
    with pytest.raises(ValueError, match='single-label'):
        metric.process(None, [sample.to_dict()])


def test_bad_num_bins_names_the_argument():
    with pytest.raises(ValueError, match='num_bins'):
        CalibrationMetric(num_bins=0)
