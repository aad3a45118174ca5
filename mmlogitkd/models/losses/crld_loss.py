"""Cross-view consistency-regularised logit distillation (CRLD)."""
from typing import List, Optional

from torch import Tensor

from mmlogitkd.registry import register_loss
from . import functional as F_kd
from .base import (BaseDistillLoss, check_non_negative, check_positive,
                   check_unit_interval)


@register_loss
class CRLDLoss(BaseDistillLoss):
    r"""CRLD's confidence-gated within- and cross-view KD terms.

    Source: Zhang, Liu, Cai, Ma, "Cross-View Consistency Regularisation for
    Knowledge Distillation", ACM MM'24, arXiv 2412.16493; code read: the
    ``scx-822/CRLD-main`` fork @ c9d6657, ``mdistiller/distillers/CRLD.py``
    (identical in ``haiduo/DeepKD``), METHODS.md §9. With
    ``KL_i(a, b) = KL(p^T(b_i) || p^T(a_i))``::

        m^w_i = 1[max_c softmax(t^w_i)_c >= tau_w]
        m^s_i = 1[max_c softmax(t^s_i)_c >= tau_s]
        L = lambda_wv / B sum_i m^w_i T^2 [KL_i(s^w,t^w) + KL_i(s^s,t^s)]
          + lambda_cv / B sum_i m^s_i T^2 [KL_i(s^s,t^w) + KL_i(s^w,t^s)]

    * The **weak**-teacher mask gates both within-view terms (also the
      strong/strong one); the **strong**-teacher mask gates both cross-view
      terms.
    * Masks use ``>=`` on the raw teacher logits at T = 1, also when
      ``standardize=True``.
    * The masked means divide by the full batch size B.
    * No warm-up; the CE on both views belongs to the algorithm.

    ``standardize=True`` applies logit standardization to every KD term
    (our composition of LS with CRLD; not in either paper).

    Args:
        temperature (float): T (> 0). CIFAR-100: 4; ImageNet: 1;
            Tiny-ImageNet: 2.
        weak_threshold (float): tau_w in [0, 1]. Official: 0.9.
        strong_threshold (float): tau_s in [0, 1]. Official: 0.2.
        within_view_weight (float): lambda_wv (>= 0). Official: 2.0
            (Tiny-ImageNet 4.0).
        cross_view_weight (float): lambda_cv (>= 0). Official: 0.5
            (Tiny-ImageNet 1.0).
        standardize (bool): logit standardization. Defaults to False.
    """

    num_views = 2
    requires_labels = False

    def __init__(self,
                 temperature: float,
                 weak_threshold: float,
                 strong_threshold: float,
                 within_view_weight: float,
                 cross_view_weight: float,
                 standardize: bool = False) -> None:
        super().__init__()
        self.temperature = check_positive('temperature', temperature)
        self.weak_threshold = check_unit_interval('weak_threshold',
                                                  weak_threshold)
        self.strong_threshold = check_unit_interval('strong_threshold',
                                                    strong_threshold)
        self.within_view_weight = check_non_negative('within_view_weight',
                                                     within_view_weight)
        self.cross_view_weight = check_non_negative('cross_view_weight',
                                                    cross_view_weight)
        self.standardize = bool(standardize)

    def compute_loss(self, students: List[Tensor], teachers: List[Tensor],
                     labels: Optional[Tensor]) -> Tensor:
        """Weighted CRLD terms on ``[weak, strong]``; labels are unused."""
        return F_kd.crld_loss(students, teachers, self.temperature,
                              self.weak_threshold, self.strong_threshold,
                              self.within_view_weight, self.cross_view_weight,
                              self.standardize)
