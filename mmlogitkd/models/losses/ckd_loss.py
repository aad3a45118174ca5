"""Contrastive sample-wise knowledge distillation (CKD).

Source: Zhu, Zhou, Zhu, Wang, Hu, "CKD: Contrastive Knowledge Distillation
from A Sample-wise Perspective", arXiv 2404.14109 (IEEE TIP 2025); official
code ZhouXinzzzzz/CKD@f16a145 ``mdistiller/distillers/CKD.py``
(``contrastive_loss``). Details: ``docs/methods/ckd.md``.
"""
import warnings
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor

from mmlogitkd.registry import register_loss
from .base import BaseDistillLoss, check_non_negative, check_positive
from .distributed import gather_for_global_batch
from .functional import float32_reductions


def _inverse_norm(logits: Tensor) -> Tensor:
    """``1 / max(|x_i|, 1e-12)`` per row, ``[B, 1]``."""
    return logits.norm(dim=1, keepdim=True).clamp_min(1e-12).reciprocal()


@float32_reductions
def ckd_loss(student_logits: Tensor,
             teacher_logits: Tensor,
             temperature: float,
             gather: bool = False,
             loss_weight: float = 1.0) -> Tensor:
    """Sample-wise contrastive KD.

    ``S_ij = t_i.s_j / (|t_i||s_j|)`` and
    ``L = w 1/B sum_i -log softmax_j(S_ij / tau)_i``: rows are teachers, the
    softmax runs over students, positives on the diagonal, in-batch
    teacher-student negatives, no ``T**2``.

    With ``gather=True`` and an initialised process group of more than one
    rank, the rows and columns are the concatenation of all ranks' batches
    (:func:`~.distributed.gather_for_global_batch`); the value on every rank
    equals the single-process loss on the concatenated batch.

    Args:
        student_logits (Tensor): ``[B, C]``.
        teacher_logits (Tensor): ``[B, C]`` (detached).
        temperature (float): tau.
        gather (bool): negatives from every rank.
        loss_weight (float): outer weight w.

    Returns:
        Tensor: the scalar loss.
    """
    # x / max(|x|, 1e-12) as F.normalize, by one reciprocal per row; 1/tau
    # folded into the gradient-free teacher side
    student = student_logits * _inverse_norm(student_logits)
    teacher = teacher_logits.detach()
    teacher = teacher * (_inverse_norm(teacher) / temperature)
    if gather:
        student, teacher = gather_for_global_batch(student, teacher)
    logits = teacher @ student.T
    targets = torch.arange(logits.shape[0], device=logits.device)
    loss = F.cross_entropy(logits, targets)
    return loss if loss_weight == 1 else loss * loss_weight


@register_loss
class CKDLoss(BaseDistillLoss):
    r"""CKD: InfoNCE between L2-normalised teacher and student logits::

        S_ij = <t_i/|t_i|, s_j/|s_j|>
        L = loss_weight * 1/B sum_i -log( exp(S_ii/tau) / sum_j exp(S_ij/tau) )

    Rows are teachers and the softmax runs over students (one direction),
    negatives are in-batch teacher-student pairs, no ``T^2``. The value
    depends on the batch: B = 1 has no negative and gives 0 (a warning names
    the batch-size setting when that happens).

    ``gather=False`` (default, the official behaviour): each rank uses its
    own batch, so results depend on the per-GPU batch size and GPU count.
    ``gather=True``: the rows and columns come from all ranks (one
    ``all_gather``), every rank's value equals the single-process loss on the
    concatenated batch, and the local gradient is scaled by the world size
    so that DDP's gradient averaging yields the single-process gradient
    (:mod:`.distributed`). Without an initialised process group it behaves
    like ``gather=False``. This global-negative variant is not the official
    method; state it in the config.

    Diagnostics: ``pos_sim``, the mean cosine similarity of each sample's
    teacher and student logits (the positive pairs; 1 = aligned), every
    :attr:`diagnostics_interval` steps.

    Args:
        temperature (float): tau (> 0). Official: 1.0 (2.0 for
            WRN-40-2->WRN-40-1 and VGG13->MobileNetV2).
        loss_weight (float): lambda_cl (>= 0). Official: 10, 50 or 100 per
            pair. Defaults to 1.0.
        gather (bool): negatives from all ranks. Defaults to False.

    Examples:
        >>> import torch
        >>> from mmlogitkd.models.losses import CKDLoss
        >>> loss = CKDLoss(temperature=1.0, loss_weight=10.0)
        >>> s, t = torch.randn(8, 100), torch.randn(8, 100)
        >>> loss(s, t).shape
        torch.Size([])
    """

    num_views = 1
    requires_labels = False
    #: In-batch negatives need a second sample; ``tools/train.py`` refuses
    #: ``train_dataloader.batch_size=1`` (utils/config_checks.py).
    min_batch_size = 2

    def __init__(self,
                 *,
                 temperature: float,
                 loss_weight: float = 1.0,
                 gather: bool = False) -> None:
        super().__init__()
        self.temperature = check_positive('temperature', temperature)
        self.loss_weight = check_non_negative('loss_weight', loss_weight)
        self.gather = bool(gather)
        self._warned = dict(single=False)

    def compute_loss(self, student: Tensor, teacher: Tensor,
                     labels: Optional[Tensor]) -> Tensor:
        """Weighted CKD term; labels are unused."""
        if student.shape[0] == 1 and not self.gather \
                and not self._warned['single']:
            self._warned['single'] = True
            warnings.warn(
                'CKDLoss got a batch of 1 sample: with no in-batch negative '
                'the contrastive loss is 0 and the step distils nothing. '
                'Use train_dataloader.batch_size >= 2 (the official configs '
                'use 32 or 64), and train_dataloader.drop_last=True if the '
                'dataset size leaves a last batch of 1.')
        if self.diagnosing:
            with torch.no_grad():
                self.record(pos_sim=F.cosine_similarity(
                    student.detach().float(), teacher.detach().float(),
                    dim=1))
        return ckd_loss(student, teacher, self.temperature, self.gather,
                        self.loss_weight)
