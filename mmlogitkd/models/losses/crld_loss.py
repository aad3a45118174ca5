"""Cross-view consistency-regularised logit distillation (CRLD).

Source: Zhang, Liu, Cai, Ma, "Cross-View Consistency Regularisation for
Knowledge Distillation", ACM MM 2024, arXiv 2412.16493; official code
arcaninez/CRLD@fe42473 ``mdistiller/distillers/CRLD.py`` (identical to the
copies in scx-822/CRLD-main@c9d6657 and haiduo/DeepKD@2ee37fa). Details:
``docs/methods/crld.md``.
"""
from typing import List, Optional, Sequence, Tuple

import torch
from torch import Tensor

from mmlogitkd.registry import register_loss
from .base import (BaseDistillLoss, check_non_negative, check_positive,
                   check_unit_interval)
from .functional import (float32_reductions, kl_rows, log_softmax_at,
                         max_probability)

#: Below this share of kept samples over a whole epoch, CRLDLoss warns.
LOW_KEEP_SHARE = 0.1


@float32_reductions
def crld_masks(teacher_weak: Tensor, teacher_strong: Tensor,
               weak_threshold: float,
               strong_threshold: float) -> Tuple[Tensor, Tensor]:
    """CRLD confidence masks, float ``[B]`` each.

    ``m^w_i = 1[max_c softmax(t^w_i)_c >= tau_w]`` and likewise ``m^s`` from
    the strong teacher, at T = 1 on raw teacher logits.
    """
    weak = (max_probability(teacher_weak) >= weak_threshold)
    strong = (max_probability(teacher_strong) >= strong_threshold)
    return weak.to(teacher_weak.dtype), strong.to(teacher_strong.dtype)


@float32_reductions
def crld_loss(student_views: Sequence[Tensor],
              teacher_views: Sequence[Tensor],
              temperature: float,
              weak_threshold: float,
              strong_threshold: float,
              within_view_weight: float,
              cross_view_weight: float,
              standardize: bool = False,
              loss_weight: float = 1.0,
              masks: Optional[Tuple[Tensor, Tensor]] = None) -> Tensor:
    """CRLD distillation terms times the outer weight w::

        w [lambda_wv/B sum_i m^w_i T^2 (KL(t^w||s^w) + KL(t^s||s^s))
           + lambda_cv/B sum_i m^s_i T^2 (KL(t^w||s^s) + KL(t^s||s^w))]

    Each of the four log-softmaxes is computed once and shared by the terms
    that use it. CE on both views is not part of this function.

    Args:
        student_views (Sequence[Tensor]): ``[weak, strong]``, each
            ``[B, C]``.
        teacher_views (Sequence[Tensor]): same layout (detached).
        temperature (float): T.
        weak_threshold (float): tau_w.
        strong_threshold (float): tau_s.
        within_view_weight (float): lambda_wv.
        cross_view_weight (float): lambda_cv.
        standardize (bool): logit standardization of every KD term.
        loss_weight (float): outer weight w.
        masks (tuple[Tensor, Tensor], optional): ``crld_masks`` of the
            teacher views when the caller has them already.

    Returns:
        Tensor: the scalar loss.
    """
    student_weak, student_strong = student_views
    teacher_weak, teacher_strong = (view.detach() for view in teacher_views)
    weak_mask, strong_mask = masks if masks is not None else crld_masks(
        teacher_weak, teacher_strong, weak_threshold, strong_threshold)
    s_weak = log_softmax_at(student_weak, temperature, standardize)
    s_strong = log_softmax_at(student_strong, temperature, standardize)
    t_weak = log_softmax_at(teacher_weak, temperature, standardize)
    t_strong = log_softmax_at(teacher_strong, temperature, standardize)
    p_weak, p_strong = t_weak.exp(), t_strong.exp()
    within = (kl_rows(t_weak, s_weak, p_weak) +
              kl_rows(t_strong, s_strong, p_strong))
    cross = (kl_rows(t_weak, s_strong, p_weak) +
             kl_rows(t_strong, s_weak, p_strong))
    scale = loss_weight * temperature**2 / student_weak.shape[0]
    return ((weak_mask * within).sum() * (within_view_weight * scale) +
            (strong_mask * cross).sum() * (cross_view_weight * scale))


@register_loss
class CRLDLoss(BaseDistillLoss):
    r"""CRLD's confidence-gated within- and cross-view KD terms.

    With ``KL_i(a, b) = KL(p^T(b_i) || p^T(a_i))``::

        m^w_i = 1[max_c softmax(t^w_i)_c >= tau_w]
        m^s_i = 1[max_c softmax(t^s_i)_c >= tau_s]
        L = w [lambda_wv / B sum_i m^w_i T^2 [KL_i(s^w,t^w) + KL_i(s^s,t^s)]
             + lambda_cv / B sum_i m^s_i T^2 [KL_i(s^s,t^w) + KL_i(s^w,t^s)]]

    * The **weak**-teacher mask gates both within-view terms (also the
      strong/strong one); the **strong**-teacher mask gates both cross-view
      terms.
    * Masks use ``>=`` on the raw teacher logits at T = 1, also when
      ``standardize=True``.
    * The masked means divide by the full batch size B.
    * No warm-up; the CE on both views belongs to the algorithm.
    * ``loss_weight`` (w) is ours (1.0 reproduces the official code); LS
      composed with CRLD sets it to the LS weight.

    ``standardize=True`` applies logit standardization to every KD term
    (our composition of LS with CRLD; not in either paper).

    Diagnostics: ``keep_weak`` and ``keep_strong`` (share of samples whose
    teacher confidence passes tau_w and tau_s), ``conf_weak`` and
    ``conf_strong`` (the teacher's mean max-probability per view), and under
    LS ``std_student``, ``std_teacher``. When fewer than 10 % of an epoch's
    samples pass a threshold, :meth:`epoch_warnings` says so, naming the
    threshold and the teacher's mean confidence (the gate then removes most
    of the term: CRLD assumes a teacher trained to convergence).

    Args:
        temperature (float): T (> 0). CIFAR-100: 4; ImageNet: 1;
            Tiny-ImageNet: 2.
        weak_threshold (float): tau_w in [0, 1]. Official: 0.9.
        strong_threshold (float): tau_s in [0, 1]. Official: 0.2.
        within_view_weight (float): lambda_wv (>= 0). Official: 2.0
            (Tiny-ImageNet 4.0).
        cross_view_weight (float): lambda_cv (>= 0). Official: 0.5
            (Tiny-ImageNet 1.0).
        loss_weight (float): outer weight w (>= 0). Defaults to 1.0.
        standardize (bool): logit standardization. Defaults to False.

    Examples:
        >>> import torch
        >>> from mmlogitkd.models.losses import CRLDLoss
        >>> loss = CRLDLoss(temperature=4.0, weak_threshold=0.9,
        ...                 strong_threshold=0.2, within_view_weight=2.0,
        ...                 cross_view_weight=0.5)
        >>> s = [torch.randn(8, 100), torch.randn(8, 100)]
        >>> t = [torch.randn(8, 100), torch.randn(8, 100)]
        >>> loss(s, t).shape
        torch.Size([])
    """

    num_views = 2
    requires_labels = False

    def __init__(self,
                 *,
                 temperature: float,
                 weak_threshold: float,
                 strong_threshold: float,
                 within_view_weight: float,
                 cross_view_weight: float,
                 loss_weight: float = 1.0,
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
        self.loss_weight = check_non_negative('loss_weight', loss_weight)
        self.standardize = bool(standardize)
        self._reset_epoch()

    def _reset_epoch(self) -> None:
        # kept (weak, strong), summed confidence (weak, strong), samples;
        # a tensor on the logits' device, read once per epoch
        self._epoch_sums = dict(sums=None)

    def compute_loss(self, students: List[Tensor], teachers: List[Tensor],
                     labels: Optional[Tensor]) -> Tensor:
        """Weighted CRLD terms on ``[weak, strong]``; labels are unused."""
        with torch.no_grad():
            conf_weak = max_probability(teachers[0].float())
            conf_strong = max_probability(teachers[1].float())
            keep_weak = (conf_weak >= self.weak_threshold).float()
            keep_strong = (conf_strong >= self.strong_threshold).float()
            sums = torch.stack([
                keep_weak.sum(), keep_strong.sum(), conf_weak.sum(),
                conf_strong.sum(),
                keep_weak.new_tensor(float(len(keep_weak)))])
        self.record(keep_weak=sums[0] / sums[4], keep_strong=sums[1] / sums[4],
                    conf_weak=sums[2] / sums[4], conf_strong=sums[3] / sums[4])
        if self.training:
            total = self._epoch_sums['sums']
            self._epoch_sums['sums'] = sums if total is None else total + sums
        if self.standardize and self.diagnosing:
            self.record_logit_std(students, teachers)
        return crld_loss(students, teachers, self.temperature,
                         self.weak_threshold, self.strong_threshold,
                         self.within_view_weight, self.cross_view_weight,
                         self.standardize, self.loss_weight,
                         masks=(keep_weak.to(teachers[0].dtype),
                                keep_strong.to(teachers[1].dtype)))

    def epoch_warnings(self) -> List[str]:
        """Warn when fewer than 10 % of the epoch's samples passed a
        threshold; resets the epoch counts."""
        if self._epoch_sums['sums'] is None:
            return []
        kept_weak, kept_strong, conf_weak, conf_strong, count = (
            float(v) for v in self._epoch_sums['sums'])
        self._reset_epoch()
        warnings = []
        for view, threshold, kept, conf, term in (
            ('weak', self.weak_threshold, kept_weak, conf_weak,
             'within-view'),
            ('strong', self.strong_threshold, kept_strong, conf_strong,
             'cross-view')):
            share = kept / count
            if share < LOW_KEEP_SHARE:
                name = f'{view}_threshold'
                warnings.append(
                    f'CRLDLoss: only {100 * share:.1f}% of this epoch\'s '
                    f'samples passed {name}={threshold:g} (the teacher\'s '
                    f'mean max-probability on the {view} view is '
                    f'{conf / count:.3f}), so the {term} terms are masked '
                    'out for almost every sample. CRLD assumes a teacher '
                    'trained to convergence, confident on its training '
                    'images; check the teacher (teacher_eval.json) or its '
                    'checkpoint.')
        return warnings
