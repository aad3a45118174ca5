"""``CalibrationMetric``: ECE and NLL next to MMPretrain's ``Accuracy``."""
from typing import List, Optional, Sequence, Tuple

import torch
from mmengine.evaluator import BaseMetric
from mmengine.structures import BaseDataElement

from mmlogitkd.registry import register_to_mmpretrain
from ..calibration import (confidence_and_correctness, per_sample_nll,
                           reliability_bins)


@register_to_mmpretrain('METRICS')
class CalibrationMetric(BaseMetric):
    """Expected calibration error and negative log-likelihood.

    Reads ``pred_score`` (the softmax that MMPretrain's classifiers write into
    each data sample) and ``gt_label``, and reports

    * ``calibration/ece``: expected calibration error over ``num_bins``
      equal-width confidence bins, a fraction in [0, 1] (Guo et al., "On
      Calibration of Modern Neural Networks", ICML 2017);
    * ``calibration/nll``: mean ``-log p[y]`` of the true class (natural log;
      probabilities are floored at
      :data:`~mmlogitkd.evaluation.calibration.PROBABILITY_FLOOR`).

    Only three numbers are kept per sample (confidence, correctness, NLL), so
    gathering results across DDP ranks stays cheap even with 1000 classes.
    The computations are those of :mod:`mmlogitkd.evaluation.calibration`.

    Example:
        >>> val_evaluator = [
        ...     dict(type='Accuracy', topk=(1, 5)),
        ...     dict(type='CalibrationMetric', num_bins=15)]

    Args:
        num_bins (int): number of equal-width confidence bins for the ECE.
            Defaults to 15, the value of Guo et al. (2017); our configs set
            it explicitly.
        collect_device (str): device for gathering results across ranks,
            ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): metric name prefix. Defaults to
            ``'calibration'``.
    """
    default_prefix = 'calibration'

    def __init__(self,
                 num_bins: int = 15,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        if isinstance(num_bins, bool) or not isinstance(num_bins, int) \
                or num_bins < 1:
            raise ValueError('CalibrationMetric: `num_bins` must be a '
                             f'positive int, got {num_bins!r}.')
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.num_bins = num_bins

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Keep ``(confidence, correct, nll)`` of every sample."""
        if not data_samples:
            return
        scores, labels = [], []
        for sample in data_samples:
            if isinstance(sample, BaseDataElement):  # Evaluator passes dicts
                sample = sample.to_dict()
            if 'pred_score' not in sample:
                raise KeyError(
                    'CalibrationMetric needs `pred_score` in each data sample '
                    '(class probabilities, as written by MMPretrain '
                    'classification heads); this model only gives '
                    f'{sorted(k for k in sample if k.startswith("pred_"))}.')
            gt_label = torch.as_tensor(sample['gt_label']).reshape(-1)
            if gt_label.numel() != 1:
                raise ValueError(
                    'CalibrationMetric supports single-label classification '
                    f'only; got gt_label {gt_label.tolist()}.')
            scores.append(torch.as_tensor(sample['pred_score']).float())
            labels.append(gt_label)
        scores = torch.stack(scores).cpu()
        labels = torch.cat(labels).cpu()
        confidences, correct = confidence_and_correctness(scores, labels)
        nll = per_sample_nll(scores, labels)
        self.results.extend(
            zip(confidences.tolist(), correct.tolist(), nll.tolist()))

    def compute_metrics(self, results: List[Tuple[float, bool,
                                                  float]]) -> dict:
        """Compute ``ece`` and ``nll`` from all gathered samples."""
        if not results:
            raise ValueError('CalibrationMetric got no samples to evaluate.')
        confidences, correct, nll = (torch.tensor(column, dtype=torch.float64)
                                     for column in zip(*results))
        bins = reliability_bins(confidences, correct, self.num_bins)
        return dict(ece=bins.ece, nll=float(nll.mean()))
