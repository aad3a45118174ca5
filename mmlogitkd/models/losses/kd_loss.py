"""Hinton knowledge distillation, optionally with logit standardization."""
from typing import Optional

from torch import Tensor

from mmlogitkd.registry import register_loss
from . import functional as F_kd
from .base import BaseDistillLoss, check_non_negative, check_positive


@register_loss
class KDLoss(BaseDistillLoss):
    """Vanilla KD: ``loss_weight * T^2 * 1/B sum_i KL(p^T(t_i) || p^T(s_i))``.

    Source: Hinton, Vinyals, Dean, "Distilling the Knowledge in a Neural
    Network", arXiv 1503.02531; reference code mdistiller
    ``mdistiller/distillers/KD.py`` (METHODS.md §5). The KL is summed over
    classes, averaged over the batch (batchmean), then multiplied by ``T^2``.

    With ``standardize=True`` this is KD+LS (Sun et al., "Logit
    Standardization in Knowledge Distillation", CVPR'24; official code
    ``sunshangquan/logit-standardization-KD``): both models' logits are
    Z-scored separately (unbiased std, eps 1e-7 on sigma) before dividing by
    the base temperature ``T``; the factor stays ``T^2`` (METHODS §7.2).

    The CE on the student's raw logits is not part of this loss.

    Args:
        temperature (float): T (> 0). CIFAR-100: 4; ImageNet: 1; KD+LS: the
            base temperature (2 or 3).
        loss_weight (float): outer weight (>= 0). CIFAR-100: 0.9; KD+LS: 9.
        standardize (bool): apply logit standardization. Defaults to False.
    """

    num_views = 1
    requires_labels = False

    def __init__(self,
                 temperature: float,
                 loss_weight: float,
                 standardize: bool = False) -> None:
        super().__init__()
        self.temperature = check_positive('temperature', temperature)
        self.loss_weight = check_non_negative('loss_weight', loss_weight)
        self.standardize = bool(standardize)

    def compute_loss(self, student: Tensor, teacher: Tensor,
                     labels: Optional[Tensor]) -> Tensor:
        """Weighted KD term; labels are unused."""
        return F_kd.kd_loss(student, teacher, self.temperature,
                            self.standardize, self.loss_weight)
