"""Hinton knowledge distillation (KD), optionally with logit standardization.

Source: Hinton, Vinyals, Dean, "Distilling the Knowledge in a Neural
Network", arXiv 1503.02531; reference code
megvii-research/mdistiller@a08d46f ``mdistiller/distillers/KD.py``. Logit
standardization: Sun et al., "Logit Standardization in Knowledge
Distillation", CVPR 2024, sunshangquan/logit-standardization-KD@f6e5aa5.
Details: ``docs/methods/kd.md`` and ``docs/methods/ls.md``.
"""
from typing import Optional

from torch import Tensor

from mmlogitkd.registry import register_loss
from .base import BaseDistillLoss, check_non_negative, check_positive
from .functional import float32_reductions, kl_terms, log_softmax_at


@float32_reductions
def kd_loss(student_logits: Tensor,
            teacher_logits: Tensor,
            temperature: float,
            standardize: bool = False,
            loss_weight: float = 1.0) -> Tensor:
    """Hinton KD term ``w T**2 mean_i KL(p^T(t_i) || p^T(s_i))``.

    With ``standardize=True`` this is KD+LS: ``T`` is the base temperature
    and the factor stays ``T**2``. The batch mean, ``T**2`` and
    ``loss_weight`` are one final multiplication.

    Args:
        student_logits (Tensor): ``[B, C]``.
        teacher_logits (Tensor): ``[B, C]`` (detached).
        temperature (float): T.
        standardize (bool): logit standardization of each model first.
        loss_weight (float): outer weight w.

    Returns:
        Tensor: the scalar loss.
    """
    student = log_softmax_at(student_logits, temperature, standardize)
    teacher = log_softmax_at(teacher_logits.detach(), temperature,
                             standardize)
    scale = loss_weight * temperature**2 / student_logits.shape[0]
    return kl_terms(teacher, student).sum() * scale


@register_loss
class KDLoss(BaseDistillLoss):
    """Vanilla KD: ``loss_weight * T^2 * 1/B sum_i KL(p^T(t_i) || p^T(s_i))``.

    The KL is summed over classes, averaged over the batch (batchmean), then
    multiplied by ``T^2`` (mdistiller ``KD.py``).

    With ``standardize=True`` this is KD+LS: both models' logits are
    Z-scored separately (unbiased std, eps 1e-7 on sigma, as the official LS
    code) before dividing by the base temperature ``T``; the factor stays
    ``T^2``. Diagnostics then include the raw logit standard deviations
    (``std_student``, ``std_teacher``).

    The CE on the student's raw logits is not part of this loss (the
    algorithm's ``ce_weight``).

    Args:
        temperature (float): T (> 0). CIFAR-100: 4; ImageNet: 1; KD+LS: the
            base temperature (2 or 3 per pair).
        loss_weight (float): outer weight (>= 0). CIFAR-100: 0.9; KD+LS: 9.
            Defaults to 1.0.
        standardize (bool): apply logit standardization. Defaults to False.

    Examples:
        >>> import torch
        >>> from mmlogitkd.models.losses import KDLoss
        >>> loss = KDLoss(temperature=4.0, loss_weight=0.9)
        >>> s, t = torch.randn(8, 100), torch.randn(8, 100)
        >>> loss(s, t).shape
        torch.Size([])
    """

    num_views = 1
    requires_labels = False

    def __init__(self,
                 *,
                 temperature: float,
                 loss_weight: float = 1.0,
                 standardize: bool = False) -> None:
        super().__init__()
        self.temperature = check_positive('temperature', temperature)
        self.loss_weight = check_non_negative('loss_weight', loss_weight)
        self.standardize = bool(standardize)

    def compute_loss(self, student: Tensor, teacher: Tensor,
                     labels: Optional[Tensor]) -> Tensor:
        """Weighted KD term; labels are unused."""
        if self.standardize and self.diagnosing:
            self.record_logit_std(student, teacher)
        return kd_loss(student, teacher, self.temperature, self.standardize,
                       self.loss_weight)
