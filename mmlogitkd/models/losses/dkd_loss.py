"""Decoupled knowledge distillation (DKD), optionally with LS.

Source: Zhao, Cui, Song, Qiu, Liang, "Decoupled Knowledge Distillation",
CVPR 2022, arXiv 2203.08679; official code megvii-research/mdistiller@a08d46f
``mdistiller/distillers/DKD.py``. Details: ``docs/methods/dkd.md``.
"""
from torch import Tensor

from mmlogitkd.registry import register_loss
from .base import (BaseDistillLoss, check_non_negative, check_non_negative_int,
                   check_positive)
from .functional import decoupled_pieces, float32_reductions
from .warmup import linear_warmup_factor


@float32_reductions
def dkd_loss(student_logits: Tensor,
             teacher_logits: Tensor,
             labels: Tensor,
             temperature: float,
             alpha: float,
             beta: float,
             standardize: bool = False,
             loss_weight: float = 1.0) -> Tensor:
    """``w T**2 mean_i (alpha TCKD_i + beta NCKD_i)``, batchmean always,
    evaluated as ``alpha KL_i + (beta - alpha b_1,i) NCKD_i``
    (:func:`~.functional.decoupled_pieces`).

    :class:`DKDLoss` passes its outer weight times the warm-up factor as
    ``loss_weight``.

    Args:
        student_logits (Tensor): ``[B, C]``.
        teacher_logits (Tensor): ``[B, C]`` (detached).
        labels (Tensor): ``[B]`` hard labels.
        temperature (float): T.
        alpha (float): TCKD weight.
        beta (float): NCKD weight.
        standardize (bool): logit standardization of each model first.
        loss_weight (float): outer weight w.

    Returns:
        Tensor: the scalar loss.
    """
    pieces = decoupled_pieces(student_logits, teacher_logits, labels,
                              temperature, standardize)
    nckd_weight = beta - alpha * pieces.teacher_non_target
    scale = loss_weight * temperature**2 / student_logits.shape[0]
    return (alpha * pieces.kl + nckd_weight * pieces.nckd).sum() * scale


#: Name under which DKDLoss is registered in MMRazor's ``MODELS``: MMRazor
#: 1.0.0 already registers its own (batch-summing, ``docs/methods/dkd.md``)
#: ``DKDLoss`` there, and registering a second class under that name would
#: break ``import mmrazor.models``.
MMRAZOR_NAME = 'DecoupledKDLoss'


@register_loss(mmrazor_name=MMRAZOR_NAME)
class DKDLoss(BaseDistillLoss):
    r"""DKD: ``loss_weight * min(e/W, 1) * T^2 * 1/B sum_i (alpha TCKD_i +
    beta NCKD_i)``.

    With ``b(z) = [p^T(z)_y, 1 - p^T(z)_y]`` and ``p_hat`` the softmax over the
    non-target classes::

        TCKD_i = KL(b(t_i) || b(s_i)),  NCKD_i = KL(p_hat(t_i) || p_hat(s_i))

    * **Batchmean always** (the official reduction). MMRazor 1.0.0's
      ``DKDLoss`` silently sums over the batch for ``reduction='mean'``
      (``docs/methods/dkd.md``); this loss has no reduction switch.
    * **Warm-up** ``min(e / W, 1)`` with the 1-indexed epoch e read from
      MMEngine's MessageHub (:mod:`.warmup`), multiplying both terms;
      ``warmup_epochs=0`` disables it and outside a runner the factor is 1.
    * **Robustness and speed**: evaluated as
      ``alpha KL + (beta - alpha b_1) NCKD`` (DKD's identity
      ``KL = TCKD + b_1 NCKD``, ``b_1`` the teacher's non-target mass) from
      one full and one non-target log-softmax per model
      (:func:`~.functional.decoupled_kl_per_sample`). The official code
      takes ``log`` of the binary masses without epsilon (``inf`` when the
      student's target probability underflows) and approximates the
      non-target softmax with a -1000 offset (wrong for logit gaps above
      1000); here no probability goes through ``log`` and the non-target
      softmax is exact, so the value is finite and equals the official one
      wherever that is finite. No clamp is needed, so none is offered.
    * ``loss_weight`` multiplies ``alpha TCKD + beta NCKD``; DKD+LS's
      ``alpha' = alpha w``, ``beta' = beta w`` (``docs/methods/ls.md``) is
      expressed as ``loss_weight=w``.
    * Diagnostics: ``warmup`` (the factor), and under LS ``std_student``,
      ``std_teacher``.

    DKD needs hard labels; soft (mixup/cutmix) labels raise ValueError.

    Args:
        temperature (float): T (> 0). CIFAR-100: 4; ImageNet: 1.
        alpha (float): TCKD weight (>= 0). Official: 1.
        beta (float): NCKD weight (>= 0). CIFAR-100: 8, 6 or 2 per pair;
            ImageNet: 0.5 (R34-R18) or 2 (R50-MV1).
        warmup_epochs (int): W (>= 0). CIFAR-100: 20; ImageNet: 1; 0 = none.
        loss_weight (float): outer weight (>= 0). Defaults to 1.0.
        standardize (bool): logit standardization of both models first
            (DKD+LS). Defaults to False.

    Examples:
        >>> import torch
        >>> from mmlogitkd.models.losses import DKDLoss
        >>> loss = DKDLoss(temperature=4.0, alpha=1.0, beta=8.0,
        ...                warmup_epochs=20)
        >>> s, t = torch.randn(8, 100), torch.randn(8, 100)
        >>> loss(s, t, torch.randint(0, 100, (8,))).shape
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
                 loss_weight: float = 1.0,
                 standardize: bool = False) -> None:
        super().__init__()
        self.temperature = check_positive('temperature', temperature)
        self.alpha = check_non_negative('alpha', alpha)
        self.beta = check_non_negative('beta', beta)
        self.warmup_epochs = check_non_negative_int('warmup_epochs',
                                                    warmup_epochs)
        self.loss_weight = check_non_negative('loss_weight', loss_weight)
        self.standardize = bool(standardize)

    def compute_loss(self, student: Tensor, teacher: Tensor,
                     labels: Tensor) -> Tensor:
        """Weighted, warmed-up DKD term."""
        factor = linear_warmup_factor(self.warmup_epochs)
        self.record(warmup=factor)
        if self.standardize and self.diagnosing:
            self.record_logit_std(student, teacher)
        return dkd_loss(student, teacher, labels, self.temperature,
                        self.alpha, self.beta, self.standardize,
                        self.loss_weight * factor)
