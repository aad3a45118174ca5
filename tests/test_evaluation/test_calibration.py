"""ECE, reliability bins and NLL on hand-computed cases."""
import math

import numpy as np
import pytest
import torch

from mmlogitkd.evaluation import (PROBABILITY_FLOOR,
                                  confidence_and_correctness,
                                  expected_calibration_error,
                                  negative_log_likelihood, per_sample_nll,
                                  reliability_bins)


def two_class_probs(confidences, predicted):
    """Rows of a 2-class softmax whose arg-max is ``predicted`` with the
    given confidence."""
    rows = []
    for confidence, cls in zip(confidences, predicted):
        row = [1 - confidence, 1 - confidence]
        row[cls] = confidence
        rows.append(row)
    return torch.tensor(rows, dtype=torch.float64)


def test_perfectly_calibrated_predictions_give_zero():
    # 10 predictions at confidence 0.9, 9 correct; 10 at 0.7, 7 correct.
    # They fall into different bins of 15, each with accuracy = confidence.
    probs = two_class_probs([0.9] * 10 + [0.7] * 10, [0] * 20)
    labels = torch.tensor([0] * 9 + [1] + [0] * 7 + [1] * 3)
    bins = reliability_bins(*confidence_and_correctness(probs, labels), 15)
    assert bins.count[13].item() == 10 and bins.count[10].item() == 10
    assert bins.ece == pytest.approx(0.0, abs=1e-12)
    assert expected_calibration_error(probs, labels, 15) == pytest.approx(
        0.0, abs=1e-12)


def test_all_confident_at_half_accuracy_gives_half():
    probs = torch.eye(4)[[0, 1, 2, 3]]  # one-hot: confidence 1
    labels = torch.tensor([0, 1, 0, 0])  # half correct
    assert expected_calibration_error(probs, labels, 15) == pytest.approx(0.5)


def test_two_bin_hand_example():
    # Bins are closed on the right, so a confidence of exactly 0.5 is in
    # the first one.
    # Bin 1 (0, 0.5]: confidence 0.5, wrong           -> acc 0, conf 0.5
    # Bin 2 (0.5, 1]: 0.6 right, 0.9 right, 0.9 wrong -> acc 2/3, conf 0.8
    # ECE = 1/4 * |0 - 0.5| + 3/4 * |2/3 - 0.8| = 0.125 + 0.1 = 0.225
    probs = two_class_probs([0.5, 0.6, 0.9, 0.9], [0, 1, 0, 0])
    labels = torch.tensor([1, 1, 0, 1])
    bins = reliability_bins(*confidence_and_correctness(probs, labels), 2)
    assert bins.count.tolist() == [1, 3]
    assert bins.edges.tolist() == [0.0, 0.5, 1.0]
    assert bins.confidence.tolist() == pytest.approx([0.5, 0.8])
    assert bins.accuracy.tolist() == pytest.approx([0.0, 2 / 3])
    assert bins.ece == pytest.approx(0.225)
    assert expected_calibration_error(probs, labels, 2) == pytest.approx(0.225)


def test_binning_matters():
    # Over-confident at 0.9 (50% right) and under-confident at 0.6 (100%
    # right): one bin pools them into a perfect 0.75 vs 0.75, 15 bins do not.
    probs = two_class_probs([0.9, 0.9, 0.6, 0.6], [0, 0, 0, 0])
    labels = torch.tensor([0, 1, 0, 0])
    assert expected_calibration_error(probs, labels, 1) == pytest.approx(0.0)
    # 15 bins: 1/2 * |0.5 - 0.9| + 1/2 * |1 - 0.6| = 0.4
    assert expected_calibration_error(probs, labels, 15) == pytest.approx(0.4)


def test_bins_are_closed_on_the_right_and_empty_bins_are_zero():
    bins = reliability_bins([0.0, 0.25, 0.5, 0.51, 1.0], [1, 0, 1, 1, 0], 4)
    # (0,.25]: 0.0, 0.25 | (.25,.5]: 0.5 | (.5,.75]: 0.51 | (.75,1]: 1.0
    assert bins.count.tolist() == [2, 1, 1, 1]
    assert bins.accuracy.tolist() == pytest.approx([0.5, 1.0, 1.0, 0.0])
    empty = reliability_bins([0.95], [True], 3)
    assert empty.count.tolist() == [0, 0, 1]
    assert empty.confidence.tolist()[:2] == [0.0, 0.0]
    assert empty.num_samples == 1


def test_ece_equals_a_direct_per_sample_loop():
    rng = np.random.RandomState(0)
    logits = rng.randn(200, 7) * 3
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    labels = rng.randint(0, 7, 200)
    confidences, predictions = probs.max(1), probs.argmax(1)
    expected = 0.0
    for m in range(15):
        low, high = m / 15, (m + 1) / 15
        members = (confidences > low) & (confidences <= high)
        if members.any():
            expected += members.mean() * abs(
                (predictions[members] == labels[members]).mean()
                - confidences[members].mean())
    assert expected_calibration_error(probs, labels, 15) == pytest.approx(
        expected, rel=1e-9)


def test_nll_of_uniform_is_log_num_classes():
    probs = torch.full((5, 100), 0.01)
    labels = torch.arange(5)
    assert negative_log_likelihood(probs, labels) == pytest.approx(
        math.log(100), rel=1e-6)


def test_nll_hand_values_and_floor():
    probs = torch.tensor([[0.5, 0.5, 0.0], [0.1, 0.2, 0.7], [1.0, 0.0, 0.0]],
                         dtype=torch.float64)
    labels = torch.tensor([0, 2, 1])  # the last true class has p = 0
    values = per_sample_nll(probs, labels)
    assert values[:2].tolist() == pytest.approx([math.log(2), -math.log(0.7)])
    assert values[2].item() == pytest.approx(-math.log(PROBABILITY_FLOOR))
    assert negative_log_likelihood(probs, labels) == pytest.approx(
        values.mean().item())


def test_numpy_and_list_inputs_are_accepted():
    probs = [[0.7, 0.3], [0.2, 0.8]]
    assert expected_calibration_error(np.array(probs), np.array([0, 0]),
                                      15) == pytest.approx(
                                          0.5 * 0.3 + 0.5 * 0.8)


@pytest.mark.parametrize('probs, labels, match', [
    (torch.tensor([0.5, 0.5]), torch.tensor([0]), 'shape'),
    (torch.tensor([[0.5, 0.5]]), torch.tensor([0, 1]), 'rows'),
    (torch.tensor([[0.5, 0.5]]), torch.tensor([2]), 'labels'),
    (torch.tensor([[0.5, 0.5]]), torch.tensor([0.0]), 'integer'),
    (torch.tensor([[2.0, -1.0]]), torch.tensor([0]), 'softmax'),
    (torch.tensor([[0.2, 0.2]]), torch.tensor([0]), 'softmax'),
    (torch.tensor([[float('nan'), 1.0]]), torch.tensor([0]), 'NaN'),
])
def test_bad_inputs_fail_early(probs, labels, match):
    with pytest.raises((ValueError, TypeError), match=match):
        expected_calibration_error(probs, labels, 15)


@pytest.mark.parametrize('num_bins', [0, -3, 1.5, True, '15'])
def test_bad_num_bins(num_bins):
    with pytest.raises(ValueError, match='num_bins'):
        reliability_bins([0.5], [1], num_bins)


def test_empty_predictions_have_no_ece():
    with pytest.raises(ValueError, match='empty'):
        reliability_bins([], [], 15).ece
