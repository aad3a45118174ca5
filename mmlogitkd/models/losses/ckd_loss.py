"""Contrastive sample-wise knowledge distillation (CKD)."""
from typing import Optional

from torch import Tensor

from mmlogitkd.registry import register_loss
from . import functional as F_kd
from .base import BaseDistillLoss, check_non_negative, check_positive


@register_loss
class CKDLoss(BaseDistillLoss):
    r"""CKD: InfoNCE between L2-normalised teacher and student logits.

    Source: Zhu, Zhou, Zhu, Wang, Hu, "CKD: Contrastive Knowledge
    Distillation from A Sample-wise Perspective", arXiv 2404.14109; official
    code ``ZhouXinzzzzz/CKD`` @ f16a145, ``mdistiller/distillers/CKD.py``
    (``contrastive_loss``), METHODS.md §10::

        S_ij = <t_i/|t_i|, s_j/|s_j|>
        L = loss_weight * 1/B sum_i -log( exp(S_ii/tau) / sum_j exp(S_ij/tau) )

    Rows are teachers and the softmax runs over students (one direction),
    negatives are in-batch teacher-student pairs, no ``T^2``. The value
    depends on the batch: B = 1 gives 0.

    ``gather=False`` (default, the official behaviour): each rank uses its
    own batch, so results depend on the per-GPU batch size and GPU count.
    ``gather=True``: the rows and columns come from all ranks (one
    ``all_gather``), every rank's value equals the single-process loss on the
    concatenated batch, and the local gradient is scaled by the world size
    so that DDP's gradient averaging yields the single-process gradient
    (:mod:`.distributed`). Without an initialised process group it behaves
    like ``gather=False``. This global-negative variant is not the official
    method (METHODS OPEN-10); state it in the config.

    Args:
        temperature (float): tau (> 0). Official: 1.0 (2.0 for
            WRN-40-2->WRN-40-1 and VGG13->MobileNetV2).
        loss_weight (float): lambda_cl (>= 0). Official: 10, 50 or 100 per
            pair.
        gather (bool): negatives from all ranks. Defaults to False.
    """

    num_views = 1
    requires_labels = False

    def __init__(self,
                 temperature: float,
                 loss_weight: float,
                 gather: bool = False) -> None:
        super().__init__()
        self.temperature = check_positive('temperature', temperature)
        self.loss_weight = check_non_negative('loss_weight', loss_weight)
        self.gather = bool(gather)

    def compute_loss(self, student: Tensor, teacher: Tensor,
                     labels: Optional[Tensor]) -> Tensor:
        """Weighted CKD term; labels are unused."""
        return F_kd.ckd_loss(student, teacher, self.temperature, self.gather,
                             self.loss_weight)
