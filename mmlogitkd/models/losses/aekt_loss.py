"""Adaptive explicit knowledge transfer (AEKT), mmlogitkd interpretation.

Park, Lee, "Adaptive Explicit Knowledge Transfer for Knowledge
Distillation", arXiv 2409.01679. No official code exists and only the
abstract was readable: everything below is **our design** from the
abstract's description; runs must be labelled "AEKT (mmlogitkd
interpretation)" and never compared with paper numbers as a reproduction.
Details and the design decisions: ``docs/methods/aekt.md``.
"""
import math
from typing import Tuple

from torch import Tensor

from mmlogitkd.registry import register_loss
from .base import (BaseDistillLoss, check_non_negative, check_non_negative_int,
                   check_positive)
from .functional import decoupled_pieces, float32_reductions
from .warmup import linear_warmup_factor


@float32_reductions
def aekt_ratio(student_log_target: Tensor,
               teacher_log_target: Tensor,
               max_ratio: float,
               eps: float = 1e-8) -> Tensor:
    """``r = clip(sg[b(t) / max(b(u), eps)], 0, max_ratio)``; ``[B]``.

    Computed in log space (no overflow), detached.
    """
    log_ratio = (teacher_log_target.detach() -
                 student_log_target.detach().clamp_min(math.log(eps)))
    return log_ratio.clamp_max(math.log(max_ratio)).exp()


@float32_reductions
def aekt_loss_and_ratio(serialized_logits: Tensor,
                        teacher_logits: Tensor,
                        labels: Tensor,
                        temperature: float,
                        alpha: float,
                        beta: float,
                        max_ratio: float,
                        eps: float = 1e-8,
                        loss_weight: float = 1.0) -> Tuple[Tensor, Tensor]:
    """:func:`aekt_loss` and the per-sample ratio ``r`` (``[B]``)."""
    pieces = decoupled_pieces(serialized_logits, teacher_logits, labels,
                              temperature, False)
    ratio = aekt_ratio(pieces.student_log_target, pieces.teacher_log_target,
                       max_ratio, eps)
    tckd_weight = alpha * ratio
    nckd_weight = beta - tckd_weight * pieces.teacher_non_target
    scale = loss_weight * temperature**2 / serialized_logits.shape[0]
    loss = (tckd_weight * pieces.kl + nckd_weight * pieces.nckd).sum() * scale
    return loss, ratio


def aekt_loss(serialized_logits: Tensor,
              teacher_logits: Tensor,
              labels: Tensor,
              temperature: float,
              alpha: float,
              beta: float,
              max_ratio: float,
              eps: float = 1e-8,
              loss_weight: float = 1.0) -> Tensor:
    """AEKT (mmlogitkd interpretation):
    ``w T**2 mean_i (alpha r_i TCKD_i + beta NCKD_i)`` on the student
    logits ``u``, where ``r_i`` is :func:`aekt_ratio`.

    Evaluated as ``alpha r KL + (beta - alpha r b_1) NCKD`` with the DKD
    pieces of :func:`~.functional.decoupled_pieces`. :class:`AEKTLoss`
    passes its outer weight times the warm-up factor as ``loss_weight``.
    """
    return aekt_loss_and_ratio(serialized_logits, teacher_logits, labels,
                               temperature, alpha, beta, max_ratio, eps,
                               loss_weight)[0]


@register_loss
class AEKTLoss(BaseDistillLoss):
    r"""AEKT (mmlogitkd interpretation): ratio-weighted TCKD plus NCKD.

    The loss receives the student logits ``u``: the classification logits
    ``s`` themselves (the chosen design, ``configs/_base_/methods/aekt.py``)
    or, if a config adds ``model.distill_head``, that module's output, e.g.
    :class:`~mmlogitkd.models.heads.TaskSerialization` (``u = W s + b``).
    A learned serialization layer trained worse at every setting we tried
    (the ablation table in ``docs/methods/aekt.md``), so the zoo configs
    distil ``s`` directly. With ``b(z) = p^T(z)_y``::

        r_i   = clip(sg[b(t_i) / max(b(u_i), eps)], 0, max_ratio)
        L_exp = T^2 1/B sum_i r_i KL([b(t_i), 1-b(t_i)] || [b(u_i), 1-b(u_i)])
        L_imp = beta T^2 1/B sum_i KL(p_hat^T(t_i) || p_hat^T(u_i))  (NCKD)
        L     = loss_weight * min(e/W, 1) * (alpha L_exp + L_imp)

    The explicit term is DKD's TCKD reweighted per sample by the detached
    teacher/student target-probability ratio (students less confident than
    the teacher are pushed harder); the implicit term is DKD's NCKD. The
    warm-up is DKD's (1-indexed epoch from MMEngine's MessageHub,
    :mod:`.warmup`). Needs hard labels.

    Diagnostics: ``warmup`` (the factor), ``ratio_mean`` (mean of r) and
    ``ratio_clipped`` (share of samples at ``max_ratio``).

    Args:
        temperature (float): T (> 0). Provisional: DKD's per-pair value.
        alpha (float): explicit-term weight (>= 0). Provisional: 1.0.
        beta (float): implicit-term weight (>= 0). Provisional: DKD's beta.
        warmup_epochs (int): W (>= 0); 0 disables the warm-up. Provisional:
            20 on CIFAR-100, 1 on ImageNet.
        max_ratio (float): r_max (> 0). Defaults to 4.0.
        loss_weight (float): outer weight (>= 0). Defaults to 1.0.
        eps (float): lower clamp of ``b(u)`` in the ratio (> 0). Defaults to
            1e-8.

    Examples:
        >>> import torch
        >>> from mmlogitkd.models.losses import AEKTLoss
        >>> loss = AEKTLoss(temperature=4.0, alpha=1.0, beta=8.0,
        ...                 warmup_epochs=20)
        >>> u, t = torch.randn(8, 100), torch.randn(8, 100)
        >>> loss(u, t, torch.randint(0, 100, (8,))).shape
        torch.Size([])
    """

    num_views = 1
    requires_labels = True

    def __init__(self,
                 *,
                 temperature: float,
                 alpha: float,
                 beta: float,
                 warmup_epochs: int,
                 max_ratio: float = 4.0,
                 loss_weight: float = 1.0,
                 eps: float = 1e-8) -> None:
        super().__init__()
        self.temperature = check_positive('temperature', temperature)
        self.alpha = check_non_negative('alpha', alpha)
        self.beta = check_non_negative('beta', beta)
        self.warmup_epochs = check_non_negative_int('warmup_epochs',
                                                    warmup_epochs)
        self.max_ratio = check_positive('max_ratio', max_ratio)
        self.loss_weight = check_non_negative('loss_weight', loss_weight)
        self.eps = check_positive('eps', eps)

    def compute_loss(self, student: Tensor, teacher: Tensor,
                     labels: Tensor) -> Tensor:
        """Weighted, warmed-up AEKT term on the student logits."""
        factor = linear_warmup_factor(self.warmup_epochs)
        loss, ratio = aekt_loss_and_ratio(student, teacher, labels,
                                          self.temperature, self.alpha,
                                          self.beta, self.max_ratio, self.eps,
                                          self.loss_weight * factor)
        self.record(
            warmup=factor,
            ratio_mean=ratio,
            ratio_clipped=(ratio >= self.max_ratio * (1 - 1e-6)).float())
        return loss
