"""Adaptive explicit knowledge transfer (AEKT), mmlogitkd interpretation."""
from torch import Tensor

from mmlogitkd.registry import register_loss
from . import functional as F_kd
from .base import (BaseDistillLoss, check_non_negative, check_non_negative_int,
                   check_positive)
from .warmup import linear_warmup_factor


@register_loss
class AEKTLoss(BaseDistillLoss):
    r"""AEKT (mmlogitkd interpretation): ratio-weighted TCKD plus NCKD.

    **Built from the paper's description only.** Park, Lee, "Adaptive
    Explicit Knowledge Transfer for Knowledge Distillation", arXiv
    2409.01679: no official code exists and only the abstract was available
    to us. The formula below is our design (METHODS.md §11.2, OPEN-11); runs
    must be labelled "AEKT (mmlogitkd interpretation)", never compared with
    paper numbers as a reproduction.

    The loss receives the **serialized** student logits ``u = g(s)``: the
    algorithm applies
    :class:`~mmlogitkd.models.heads.TaskSerialization` (a C x C linear
    layer, identity-initialised) to the student's classification logits
    before calling it; CE and inference use the raw logits ``s``. With
    ``b(z) = p^T(z)_y``::

        r_i   = clip(sg[b(t_i) / max(b(u_i), eps)], 0, max_ratio)
        L_exp = T^2 1/B sum_i r_i KL([b(t_i), 1-b(t_i)] || [b(u_i), 1-b(u_i)])
        L_imp = beta T^2 1/B sum_i KL(p_hat^T(t_i) || p_hat^T(u_i))  (NCKD)
        L     = loss_weight * min(e/W, 1) * (alpha L_exp + L_imp)

    The explicit term is DKD's TCKD reweighted per sample by the detached
    teacher/student target-probability ratio (students less confident than
    the teacher are pushed harder); the implicit term is DKD's NCKD. The
    warm-up is DKD's (1-indexed epoch from MMEngine's MessageHub,
    :mod:`.warmup`). TCKD/NCKD come from the same implementation as
    :class:`DKDLoss` (evaluated as ``alpha r KL + (beta - alpha r b_1)
    NCKD``, finite when a target probability underflows); the ratio is
    computed in log space. Needs hard labels.

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
    """

    num_views = 1
    requires_labels = True

    def __init__(self,
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
        """Weighted, warmed-up AEKT term on the serialized student logits."""
        factor = linear_warmup_factor(self.warmup_epochs)
        return F_kd.aekt_loss(student, teacher, labels, self.temperature,
                              self.alpha, self.beta, self.max_ratio, self.eps,
                              self.loss_weight * factor)
