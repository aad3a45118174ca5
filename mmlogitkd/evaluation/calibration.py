"""Calibration measures for classifiers: ECE, reliability bins and NLL.

These pure functions are the single implementation behind
:class:`~mmlogitkd.evaluation.metrics.CalibrationMetric` (reported next to
top-1 during validation) and ``tools/analysis/reliability_diagram.py``.

Definitions follow Guo, Pleiss, Sun and Weinberger, "On Calibration of Modern
Neural Networks", ICML 2017 (arXiv 1706.04599), and Naeini, Cooper and
Hauskrecht, "Obtaining Well Calibrated Probabilities Using Bayesian
Binning", AAAI 2015:

* the *confidence* of a prediction is its largest class probability, and it
  is *correct* when that class (the arg-max) is the true one;
* predictions are grouped into ``M`` equal-width confidence bins
  ``B_m = ((m - 1) / M, m / M]``, ``m = 1 .. M`` (closed on the right, so a
  confidence of exactly ``m / M`` falls into ``B_m``);
* ``ECE = sum_m |B_m| / N * |acc(B_m) - conf(B_m)|`` with ``acc`` and
  ``conf`` the mean correctness and mean confidence of the bin. It is a
  fraction in ``[0, 1]``; multiply by 100 for the percentages used in papers.
* ``NLL = mean_i -log p_i[y_i]``: the mean negative log-likelihood of the
  true class.
"""
from typing import NamedTuple, Tuple, Union

import numpy as np
import torch

ArrayLike = Union[torch.Tensor, np.ndarray, list]

#: Probabilities are clamped to at least this value before ``log`` so that a
#: true class whose float32 softmax underflowed to 0 contributes a large but
#: finite ``-log(1e-12) ~ 27.6`` instead of ``inf``. Only probabilities below
#: ``1e-12`` are affected.
PROBABILITY_FLOOR = 1e-12

#: Tolerance on ``|sum_c p_c - 1|`` when checking that inputs are
#: probabilities (float32 softmax rows sum to 1 within ~1e-6).
_ROW_SUM_TOLERANCE = 1e-3


class ReliabilityBins(NamedTuple):
    """Per-bin statistics of a reliability diagram.

    Attributes:
        edges (torch.Tensor): ``num_bins + 1`` bin edges ``0, 1/M, .., 1``.
        confidence (torch.Tensor): mean confidence of each bin (0 if empty).
        accuracy (torch.Tensor): fraction of correct predictions in each bin
            (0 if empty).
        count (torch.Tensor): number of predictions in each bin (int64).
    """
    edges: torch.Tensor
    confidence: torch.Tensor
    accuracy: torch.Tensor
    count: torch.Tensor

    @property
    def num_samples(self) -> int:
        """Total number of predictions over all bins."""
        return int(self.count.sum())

    @property
    def ece(self) -> float:
        """Expected calibration error of these bins, a fraction in [0, 1]."""
        total = self.num_samples
        if total == 0:
            raise ValueError('ECE is undefined for an empty set of '
                             'predictions.')
        gaps = (self.accuracy - self.confidence).abs()
        return float((self.count.to(gaps.dtype) * gaps).sum() / total)


def _as_float_tensor(values: ArrayLike, name: str) -> torch.Tensor:
    # Calibration is bookkeeping on small vectors: work on CPU, and in
    # float64 for anything that is not already floating point (bool, int).
    tensor = torch.as_tensor(values).detach().cpu()
    if not tensor.is_floating_point():
        tensor = tensor.to(torch.float64)
    if not torch.isfinite(tensor).all():
        raise ValueError(f'`{name}` contains NaN or infinite values.')
    return tensor


def _check_probs_and_labels(probs: ArrayLike,
                            labels: ArrayLike) -> Tuple[torch.Tensor,
                                                        torch.Tensor]:
    """Validate an ``(N, C)`` probability matrix and ``N`` integer labels."""
    probs = _as_float_tensor(probs, 'probs')
    labels = torch.as_tensor(labels).detach().cpu().reshape(-1)
    if probs.dim() != 2:
        raise ValueError('`probs` must have shape (N, C) (one row of class '
                         'probabilities per sample), got '
                         f'{tuple(probs.shape)}.')
    if labels.is_floating_point() or labels.dtype == torch.bool:
        raise TypeError(f'`labels` must be integer class indices, got dtype '
                        f'{labels.dtype}.')
    if labels.numel() != probs.shape[0]:
        raise ValueError(f'`probs` has {probs.shape[0]} rows but `labels` has '
                         f'{labels.numel()} entries.')
    if labels.numel() and (labels.min() < 0 or labels.max() >= probs.shape[1]):
        raise ValueError(f'`labels` must lie in [0, {probs.shape[1] - 1}], '
                         f'got values in [{int(labels.min())}, '
                         f'{int(labels.max())}].')
    if probs.numel() and (probs.min() < 0 or probs.max() > 1 or (
            probs.sum(dim=1) - 1).abs().max() > _ROW_SUM_TOLERANCE):
        raise ValueError('`probs` must hold probabilities (non-negative rows '
                         'summing to 1); apply softmax to logits first.')
    return probs, labels


def confidence_and_correctness(
        probs: ArrayLike,
        labels: ArrayLike) -> Tuple[torch.Tensor, torch.Tensor]:
    """Top-1 confidence and correctness of each prediction.

    Args:
        probs (Tensor | ndarray): ``(N, C)`` class probabilities.
        labels (Tensor | ndarray): ``(N,)`` true class indices.

    Returns:
        tuple[Tensor, Tensor]: ``confidences`` (N, the largest probability of
        each row) and ``correct`` (N, bool: the arg-max is the true class).
    """
    probs, labels = _check_probs_and_labels(probs, labels)
    confidences, predictions = probs.max(dim=1)
    return confidences, predictions == labels


def reliability_bins(confidences: ArrayLike, correct: ArrayLike,
                     num_bins: int) -> ReliabilityBins:
    """Group predictions into equal-width confidence bins.

    Args:
        confidences (Tensor | ndarray): ``(N,)`` confidences in [0, 1].
        correct (Tensor | ndarray): ``(N,)`` bool (or 0/1) correctness.
        num_bins (int): number of equal-width bins ``M`` over [0, 1]; 15 is
            the value of Guo et al. (2017) and of our configs.

    Returns:
        ReliabilityBins: edges and per-bin mean confidence, accuracy and
        count; ``.ece`` gives the expected calibration error.
    """
    if isinstance(num_bins, bool) or not isinstance(num_bins, int) \
            or num_bins < 1:
        raise ValueError(f'`num_bins` must be a positive int, got '
                         f'{num_bins!r}.')
    confidences = _as_float_tensor(confidences, 'confidences').reshape(-1)
    correct = _as_float_tensor(correct, 'correct').reshape(-1).to(
        confidences.dtype)
    if confidences.numel() != correct.numel():
        raise ValueError(f'`confidences` has {confidences.numel()} entries '
                         f'but `correct` has {correct.numel()}.')
    if confidences.numel() and (confidences.min() < 0
                                or confidences.max() > 1):
        raise ValueError('`confidences` must lie in [0, 1].')
    if ((correct != 0) & (correct != 1)).any():
        raise ValueError('`correct` must hold only 0/1 (or bool) values.')

    edges = torch.linspace(0, 1, num_bins + 1, dtype=torch.float64)
    # right=False: index m with edges[m] < c <= edges[m + 1], i.e. bins
    # closed on the right; c == 0 lands in the first bin.
    index = torch.bucketize(
        confidences.to(torch.float64), edges[1:-1].contiguous(), right=False)
    count = torch.bincount(index, minlength=num_bins)
    confidence_sum = torch.zeros(num_bins, dtype=confidences.dtype)
    accuracy_sum = torch.zeros(num_bins, dtype=confidences.dtype)
    confidence_sum.index_add_(0, index, confidences)
    accuracy_sum.index_add_(0, index, correct)
    # Empty bins report 0 (their count says they are empty).
    safe_count = count.clamp(min=1).to(confidences.dtype)
    return ReliabilityBins(
        edges=edges.to(confidences.dtype),
        confidence=confidence_sum / safe_count,
        accuracy=accuracy_sum / safe_count,
        count=count)


def expected_calibration_error(probs: ArrayLike, labels: ArrayLike,
                               num_bins: int) -> float:
    """Expected calibration error of ``(N, C)`` probabilities.

    Args:
        probs (Tensor | ndarray): ``(N, C)`` class probabilities.
        labels (Tensor | ndarray): ``(N,)`` true class indices.
        num_bins (int): number of equal-width confidence bins (15 in our
            configs, after Guo et al. 2017).

    Returns:
        float: ECE as a fraction in [0, 1].
    """
    confidences, correct = confidence_and_correctness(probs, labels)
    return reliability_bins(confidences, correct, num_bins).ece


def per_sample_nll(probs: ArrayLike, labels: ArrayLike) -> torch.Tensor:
    """Negative log-likelihood of the true class of each sample.

    Args:
        probs (Tensor | ndarray): ``(N, C)`` class probabilities.
        labels (Tensor | ndarray): ``(N,)`` true class indices.

    Returns:
        Tensor: ``(N,)`` values ``-log(max(p[y], PROBABILITY_FLOOR))``.
    """
    probs, labels = _check_probs_and_labels(probs, labels)
    true_class = probs.gather(1, labels.long().unsqueeze(1)).squeeze(1)
    return -true_class.clamp(min=PROBABILITY_FLOOR).log()


def negative_log_likelihood(probs: ArrayLike, labels: ArrayLike) -> float:
    """Mean negative log-likelihood of the true class (natural log).

    Args:
        probs (Tensor | ndarray): ``(N, C)`` class probabilities.
        labels (Tensor | ndarray): ``(N,)`` true class indices.

    Returns:
        float: ``mean_i -log p_i[y_i]``; ``log C`` for uniform predictions.
    """
    values = per_sample_nll(probs, labels)
    if values.numel() == 0:
        raise ValueError('NLL is undefined for an empty set of predictions.')
    return float(values.mean())
