"""Multi-level logit distillation (MLKD), optionally with LS."""
from typing import List, Optional, Sequence

from torch import Tensor

from mmlogitkd.registry import register_loss
from . import functional as F_kd
from .base import BaseDistillLoss, check_non_negative, check_positive


@register_loss
class MLKDLoss(BaseDistillLoss):
    r"""MLKD's distillation terms on ``[weak, strong]`` views.

    Source: Jin, Wang, Lin, "Multi-Level Logit Distillation", CVPR'23;
    official code ``Jin-Ying/Multi-Level-Logit-Distillation`` @ 5ee473f,
    ``mdistiller/distillers/KD_ours.py`` (METHODS.md §8). With temperatures
    ``[T0, 3, 5, 2, 6]``, ``KD_T = T^2 1/B sum_i KL(p^T(t_i) || p^T(s_i))``,
    ``CC_T = ||P_t^T P_t - P_s^T P_s||_F^2 / C`` and
    ``BC_T = ||P_t P_t^T - P_s P_s^T||_F^2 / B`` (``P = softmax(z/T)``),
    masks from the weak teacher at T = 1 (sample confidence and class mass
    ``<=`` their medians), kept fractions ``mbar``, ``nbar``::

        L = w [ mbar sum_T KD_T(s^w,t^w) + sum_{T0,3,5} KD_T(s^s,t^s)
              + sum_{2,6} KD_T(s^w,t^w) + nbar sum_T CC_T(s^w,t^w)
              + mbar sum_T BC_T(s^w,t^w) ]

    ``faithful=True`` (default) reproduces the official code exactly,
    including its quirks (METHODS §8.2):

    * **Q1** the masks only *scale*: each term is batch-reduced first, so
      ``(term * mask).mean()`` multiplies it by the kept fraction instead of
      selecting samples/classes.
    * **Q2** the T = 2 and T = 6 entries of the "strong" KD sum use the
      **weak** logits; the weak KD at T in {2, 6} thus has weight
      ``w (1 + mbar)``.
    * **Q4** CC and BC carry no ``T^2``.
    * **Q5** the sample mask keeps the **low**-confidence half (``<=`` the
      median), unlike CRLD.
    * **Q3** the official code also computes CC/BC on the strong view and
      then drops them from the loss; that dead code is **not** computed here
      (no effect on value or gradient).
    * Q6: medians use ``torch.quantile`` on the logits' device (same value
      as the official ``np.percentile``, no host copy).

    ``faithful=False`` is a corrected variant and **not MLKD**: per-sample
    masks select samples (``1/B sum_i m_i T^2 KL_i``), the class/sample masks
    select Gram-difference columns, and the strong KD uses the strong logits
    at every temperature. Never report it as MLKD.

    With ``standardize=True`` (MLKD+LS, Sun et al., CVPR'24) the KD terms of
    both views use standardized logits with base temperature ``T0``; CC and
    BC stay on raw logits (METHODS §7.2).

    The CE on both views is **not** part of this loss (the algorithm adds
    it). Labels are not used.

    Args:
        temperatures (Sequence[float]): ``[T0, 3, 5, 2, 6]`` (each > 0).
            Faithful mode needs exactly five (the official code splits them
            3 + 2). CIFAR-100 T0 = 4, ImageNet T0 = 1, MLKD+LS T0 = tau.
            Defaults to (4.0, 3.0, 5.0, 2.0, 6.0).
        loss_weight (float): w (>= 0). CIFAR-100: 0.9; ImageNet: 0.5.
            Defaults to 0.9.
        standardize (bool): MLKD+LS. Defaults to False.
        faithful (bool): reproduce the official code (True) or use the
            corrected variant (False). Defaults to True.
    """

    num_views = 2
    requires_labels = False

    def __init__(self,
                 temperatures: Sequence[float] = (4.0, 3.0, 5.0, 2.0, 6.0),
                 loss_weight: float = 0.9,
                 standardize: bool = False,
                 faithful: bool = True) -> None:
        super().__init__()
        if isinstance(temperatures, (str, bytes)) or not isinstance(
                temperatures, Sequence) or len(temperatures) == 0:
            raise ValueError('temperatures must be a non-empty sequence of '
                             f'numbers, got {temperatures!r}')
        self.temperatures = tuple(
            check_positive(f'temperatures[{index}]', value)
            for index, value in enumerate(temperatures))
        if faithful and len(self.temperatures) != 5:
            raise ValueError(
                'temperatures must hold exactly 5 values [T0, 3, 5, 2, 6] '
                'with faithful=True (the official code uses the first three '
                f'on the strong view), got {len(self.temperatures)}')
        self.loss_weight = check_non_negative('loss_weight', loss_weight)
        self.standardize = bool(standardize)
        self.faithful = bool(faithful)

    def compute_loss(self, students: List[Tensor], teachers: List[Tensor],
                     labels: Optional[Tensor]) -> Tensor:
        """Weighted MLKD terms on ``[weak, strong]``; labels are unused."""
        return F_kd.mlkd_loss(students, teachers, self.temperatures,
                              self.standardize, self.faithful,
                              self.loss_weight)
