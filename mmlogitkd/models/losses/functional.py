"""Pure functions behind every mmlogitkd distillation loss.

Each primitive has exactly one implementation here; the registered loss
modules are thin wrappers that validate arguments, read the epoch where a
method needs it, and apply their outer weight. Formulas and sources:
``docs/losses.md`` and METHODS.md §5-§11.

Conventions:

* Logits are ``[B, C]``; teacher logits are always detached (the teacher is
  data, not a trainee).
* "batchmean": KL summed over classes per sample, then averaged over the
  **full** batch B (masked samples count as zeros).
* Probabilities are handled through log-softmax identities; ``log`` is never
  taken of a softmax, so no term becomes ``-inf`` when a probability
  underflows.
* Every public function runs with autocast disabled and upcasts float16 /
  bfloat16 inputs to float32, so reductions and matmuls are float32 even
  under AMP. float64 inputs stay float64 (for ``gradcheck``).
"""
import functools
import math
from typing import Callable, List, NamedTuple, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from .distributed import gather_for_global_batch

LOW_PRECISION_DTYPES = (torch.float16, torch.bfloat16)
#: Epsilon added to the standard deviation by logit standardization
#: (Sun et al., CVPR'24; LS repo and torchdistill use the same value).
LS_EPS = 1e-7


def _upcast(value):
    if isinstance(value, Tensor) and value.dtype in LOW_PRECISION_DTYPES:
        return value.float()
    if isinstance(value, (list, tuple)):
        return type(value)(_upcast(item) for item in value)
    return value


def _device_type(values) -> str:
    for value in values:
        if isinstance(value, Tensor):
            return value.device.type
        if isinstance(value, (list, tuple)) and value \
                and isinstance(value[0], Tensor):
            return value[0].device.type
    return 'cpu'


def float32_reductions(fn: Callable) -> Callable:
    """Decorator: run ``fn`` without autocast, with 16-bit float tensors
    (also inside list/tuple arguments) upcast to float32."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        args = tuple(_upcast(arg) for arg in args)
        kwargs = {key: _upcast(value) for key, value in kwargs.items()}
        device_type = _device_type(list(args) + list(kwargs.values()))
        with torch.autocast(device_type=device_type, enabled=False):
            return fn(*args, **kwargs)

    return wrapper


# ---------------------------------------------------------------------------
# Shared primitives
# ---------------------------------------------------------------------------
def _scaled_logits(logits: Tensor, temperature: float, standardize: bool,
                   eps: float = LS_EPS) -> Tensor:
    """``z / T``, or ``Z(z) / T`` with the two scalings folded into one.

    The mean and the unbiased variance come from one fused reduction
    (``var_mean``). The variance is clamped at the smallest normal number
    before the square root so that constant logits (sigma = 0) give a finite
    gradient; this changes sigma by at most ~1e-19 (float32), far below eps.
    """
    if not standardize:
        return logits / temperature
    var, mean = torch.var_mean(logits, dim=1, keepdim=True, correction=1)
    sigma = var.clamp_min(torch.finfo(var.dtype).tiny).sqrt()
    return (logits - mean) * (1.0 / (temperature * (sigma + eps)))


def _log_softmax(logits: Tensor, temperature: float,
                 standardize: bool = False) -> Tensor:
    return F.log_softmax(_scaled_logits(logits, temperature, standardize), 1)


def _kl_rows(teacher_log_probs: Tensor,
             student_log_probs: Tensor,
             teacher_probs: Optional[Tensor] = None) -> Tensor:
    """``KL(p || q)`` per row from log-probabilities; ``[B]``.

    ``teacher_probs`` (= ``exp(teacher_log_probs)``) may be passed in when
    the same teacher distribution enters several KL terms.
    """
    if teacher_probs is None:
        teacher_probs = teacher_log_probs.exp()
    return (teacher_probs * (teacher_log_probs - student_log_probs)).sum(1)


def _max_probability(logits: Tensor) -> Tensor:
    """Confidence ``max_c softmax(z)_c`` at T = 1, ``[B]`` (no gradient)."""
    return F.softmax(logits.detach(), dim=1).amax(dim=1)


# ---------------------------------------------------------------------------
# KD and logit standardization
# ---------------------------------------------------------------------------
@float32_reductions
def logit_standardize(logits: Tensor, eps: float = LS_EPS) -> Tensor:
    """Per-sample Z-score of logits (Sun et al., CVPR'24; METHODS §7.1).

    ``Z(z)_c = (z_c - mean(z)) / (std(z) + eps)`` along the class dimension,
    with the **unbiased** std (divides by C - 1) and eps added to sigma.

    Args:
        logits (Tensor): ``[B, C]`` logits, C >= 2.
        eps (float): added to the standard deviation. Defaults to 1e-7 (the
            official value).

    Returns:
        Tensor: ``[B, C]`` standardized logits.
    """
    return _scaled_logits(logits, 1.0, True, eps)


@float32_reductions
def kl_per_sample(student_logits: Tensor,
                  teacher_logits: Tensor,
                  temperature: float,
                  standardize: bool = False) -> Tensor:
    """``KL(p^T(t_i) || p^T(s_i))`` for every sample; ``[B]``.

    Args:
        student_logits (Tensor): ``[B, C]``.
        teacher_logits (Tensor): ``[B, C]`` (detached).
        temperature (float): T.
        standardize (bool): apply logit standardization to each model
            separately before dividing by T.

    Returns:
        Tensor: ``[B]`` KL divergences, without the ``T**2`` factor.
    """
    student_log_probs = _log_softmax(student_logits, temperature, standardize)
    teacher_log_probs = _log_softmax(teacher_logits.detach(), temperature,
                                     standardize)
    return _kl_rows(teacher_log_probs, student_log_probs)


@float32_reductions
def kd_loss(student_logits: Tensor,
            teacher_logits: Tensor,
            temperature: float,
            standardize: bool = False) -> Tensor:
    """Hinton KD term ``T**2 * mean_i KL(p^T(t_i) || p^T(s_i))`` (METHODS §5).

    With ``standardize=True`` this is KD+LS: ``T`` is the base temperature
    and the factor stays ``T**2`` (METHODS §7.2).
    """
    kl = kl_per_sample(student_logits, teacher_logits, temperature,
                       standardize)
    return temperature**2 * kl.mean()


# ---------------------------------------------------------------------------
# DKD (and AEKT) decomposition
# ---------------------------------------------------------------------------
class DecoupledKL(NamedTuple):
    """Per-sample pieces of the DKD decomposition at temperature T.

    Attributes:
        tckd (Tensor): ``[B]`` KL between binary (target, non-target) masses.
        nckd (Tensor): ``[B]`` KL between the renormalised non-target
            distributions.
        student_log_target (Tensor): ``[B]`` ``log p^T(s)_y``.
        teacher_log_target (Tensor): ``[B]`` ``log p^T(t)_y``.

    Neither KL carries the ``T**2`` factor.
    """
    tckd: Tensor
    nckd: Tensor
    student_log_target: Tensor
    teacher_log_target: Tensor


def _target_split(log_probs: Tensor, target_mask: Tensor,
                  labels: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    """From one log-softmax: ``log p_y``, ``log (1 - p_y)`` and the
    non-target log-distribution ``log p_hat`` (0 in the target column).

    ``log(1 - p_y)`` is a log-sum-exp over the non-target log-probabilities
    (the sum of the non-target masses, as DKD does, never ``1 - p_y``), so it
    neither cancels when ``p_y`` is close to 1 nor becomes ``-inf`` when a
    mass underflows.
    """
    log_target = log_probs.gather(1, labels[:, None]).squeeze(1)
    log_non_target = torch.logsumexp(
        log_probs.masked_fill(target_mask, float('-inf')), dim=1)
    log_hat = (log_probs - log_non_target[:, None]).masked_fill(
        target_mask, 0.0)
    return log_target, log_non_target, log_hat


@float32_reductions
def decoupled_kl_per_sample(student_logits: Tensor,
                            teacher_logits: Tensor,
                            labels: Tensor,
                            temperature: float,
                            standardize: bool = False) -> DecoupledKL:
    """DKD's TCKD and NCKD per sample (Zhao et al., CVPR'22; METHODS §6).

    One log-softmax per model serves both terms:
    ``log b = [log p_y, logsumexp_{c != y} log p_c]`` and
    ``log p_hat_c = log p_c - log(1 - p_y)`` for ``c != y``. This is the
    exact non-target softmax (the official code approximates it by
    subtracting 1000 from the target logit, which fails for logit gaps above
    1000) and the binary masses are never passed through ``log`` (the
    official code's ``log`` without epsilon gives ``inf`` when the student's
    target probability underflows; here the value is finite and equal to
    the official one wherever that is finite).

    Identity (tested): ``KL(p^T(t) || p^T(s)) = TCKD + (1 - p^T(t)_y) NCKD``.

    Args:
        student_logits (Tensor): ``[B, C]``.
        teacher_logits (Tensor): ``[B, C]`` (detached).
        labels (Tensor): ``[B]`` hard labels.
        temperature (float): T.
        standardize (bool): logit standardization of each model first.

    Returns:
        DecoupledKL: per-sample TCKD, NCKD (without ``T**2``) and the
        target log-probabilities of both models.
    """
    target_mask = torch.zeros_like(student_logits, dtype=torch.bool)
    target_mask.scatter_(1, labels[:, None], True)
    s_log_target, s_log_non_target, s_log_hat = _target_split(
        _log_softmax(student_logits, temperature, standardize), target_mask,
        labels)
    t_log_target, t_log_non_target, t_log_hat = _target_split(
        _log_softmax(teacher_logits.detach(), temperature, standardize),
        target_mask, labels)
    tckd = (t_log_target.exp() * (t_log_target - s_log_target) +
            t_log_non_target.exp() * (t_log_non_target - s_log_non_target))
    teacher_hat = t_log_hat.exp().masked_fill(target_mask, 0.0)
    nckd = (teacher_hat * (t_log_hat - s_log_hat)).sum(1)
    return DecoupledKL(tckd, nckd, s_log_target, t_log_target)


@float32_reductions
def dkd_loss(student_logits: Tensor,
             teacher_logits: Tensor,
             labels: Tensor,
             temperature: float,
             alpha: float,
             beta: float,
             standardize: bool = False) -> Tensor:
    """``T**2 * mean_i (alpha TCKD_i + beta NCKD_i)``, batchmean always.

    The warm-up factor and the outer weight are applied by
    :class:`DKDLoss`.
    """
    parts = decoupled_kl_per_sample(student_logits, teacher_logits, labels,
                                    temperature, standardize)
    return temperature**2 * (alpha * parts.tckd + beta * parts.nckd).mean()


# ---------------------------------------------------------------------------
# AEKT (mmlogitkd interpretation)
# ---------------------------------------------------------------------------
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
def aekt_loss(serialized_logits: Tensor,
              teacher_logits: Tensor,
              labels: Tensor,
              temperature: float,
              alpha: float,
              beta: float,
              max_ratio: float,
              eps: float = 1e-8) -> Tensor:
    """AEKT (mmlogitkd interpretation, METHODS §11.2), without warm-up.

    ``T**2 mean_i (alpha r_i TCKD_i + beta NCKD_i)`` on the serialized
    student logits ``u = g(s)``, where ``r_i`` is :func:`aekt_ratio`.
    """
    parts = decoupled_kl_per_sample(serialized_logits, teacher_logits, labels,
                                    temperature)
    ratio = aekt_ratio(parts.student_log_target, parts.teacher_log_target,
                       max_ratio, eps)
    return temperature**2 * (alpha * ratio * parts.tckd +
                             beta * parts.nckd).mean()


# ---------------------------------------------------------------------------
# CRLD
# ---------------------------------------------------------------------------
@float32_reductions
def crld_masks(teacher_weak: Tensor, teacher_strong: Tensor,
               weak_threshold: float,
               strong_threshold: float) -> Tuple[Tensor, Tensor]:
    """CRLD confidence masks (METHODS §9.1), float ``[B]`` each.

    ``m^w_i = 1[max_c softmax(t^w_i)_c >= tau_w]`` and likewise ``m^s`` from
    the strong teacher, at T = 1 on raw teacher logits.
    """
    weak = (_max_probability(teacher_weak) >= weak_threshold)
    strong = (_max_probability(teacher_strong) >= strong_threshold)
    return weak.to(teacher_weak.dtype), strong.to(teacher_strong.dtype)


@float32_reductions
def crld_loss(student_views: Sequence[Tensor],
              teacher_views: Sequence[Tensor],
              temperature: float,
              weak_threshold: float,
              strong_threshold: float,
              within_view_weight: float,
              cross_view_weight: float,
              standardize: bool = False) -> Tensor:
    """CRLD distillation terms (Zhang et al., ACM MM'24; METHODS §9.1).

    ``lambda_wv/B sum_i m^w_i T^2 [KL(t^w||s^w) + KL(t^s||s^s)]
    + lambda_cv/B sum_i m^s_i T^2 [KL(t^w||s^s) + KL(t^s||s^w)]``.

    Each of the four log-softmaxes is computed once and shared by the terms
    that use it. CE on both views is not part of this function.
    """
    student_weak, student_strong = student_views
    teacher_weak, teacher_strong = (view.detach() for view in teacher_views)
    weak_mask, strong_mask = crld_masks(teacher_weak, teacher_strong,
                                        weak_threshold, strong_threshold)
    s_weak = _log_softmax(student_weak, temperature, standardize)
    s_strong = _log_softmax(student_strong, temperature, standardize)
    t_weak = _log_softmax(teacher_weak, temperature, standardize)
    t_strong = _log_softmax(teacher_strong, temperature, standardize)
    p_weak, p_strong = t_weak.exp(), t_strong.exp()
    within = (_kl_rows(t_weak, s_weak, p_weak) +
              _kl_rows(t_strong, s_strong, p_strong))
    cross = (_kl_rows(t_weak, s_strong, p_weak) +
             _kl_rows(t_strong, s_weak, p_strong))
    return temperature**2 * (
        within_view_weight * (weak_mask * within).mean() +
        cross_view_weight * (strong_mask * cross).mean())


# ---------------------------------------------------------------------------
# MLKD
# ---------------------------------------------------------------------------
class MLKDMasks(NamedTuple):
    """MLKD confidence masks from the weak teacher at T = 1 (METHODS §8.1).

    Attributes:
        sample (Tensor): ``[B]`` float, 1 where the sample confidence is
            ``<=`` its batch median (the low-confidence half, quirk Q5).
        cls (Tensor): ``[C]`` float, 1 where the class mass
            ``sum_i softmax(t^w_i)_c`` is ``<=`` its median.
    """
    sample: Tensor
    cls: Tensor


@float32_reductions
def mlkd_masks(teacher_weak: Tensor) -> MLKDMasks:
    """Sample and class masks of MLKD. Medians are ``torch.quantile(., 0.5)``
    (linear interpolation, equal to the official ``np.percentile(., 50)``),
    computed on the logits' device."""
    probs = F.softmax(teacher_weak.detach(), dim=1)
    confidence, class_mass = probs.amax(dim=1), probs.sum(dim=0)
    sample = confidence <= torch.quantile(confidence, 0.5)
    cls = class_mass <= torch.quantile(class_mass, 0.5)
    return MLKDMasks(sample.to(probs.dtype), cls.to(probs.dtype))


def _frobenius_inner(a: Tensor, b: Tensor) -> Tensor:
    return (a * b).sum()


@float32_reductions
def correlation_distances(
        student_probs: Tensor,
        teacher_probs: Tensor,
        sample_weights: Optional[Tensor] = None,
        class_weights: Optional[Tensor] = None) -> Tuple[Tensor, Tensor]:
    """MLKD's class- and batch-correlation distances (METHODS §8.1).

    ``CC = ||P_t^T P_t - P_s^T P_s||_F^2 / C`` (C x C class Gram matrices)
    and ``BC = ||P_t P_t^T - P_s P_s^T||_F^2 / B`` (B x B batch Gram
    matrices); no ``T**2``.

    CC is evaluated through B x B matrices only, using
    ``||A^T A - S^T S||_F^2 = <A A^T, A A^T> - 2 <A S^T, A S^T>
    + <S S^T, S S^T>``; the two batch Gram matrices are shared with BC. This
    costs ``O(B^2 C)`` instead of ``O(B C^2)`` (a factor 2C/B: ~3x at
    CIFAR's B=64, C=100 and ~30x at B=64, C=1000) and is exact up to float
    rounding.

    Optional column weights select columns of the Gram differences (used by
    the corrected MLKD variant): ``BC = sum_ij w_j dG_ij^2 / B`` and
    ``CC = sum_ab n_b dG_ab^2 / C``.

    Args:
        student_probs (Tensor): ``[B, C]`` probabilities ``P_s``.
        teacher_probs (Tensor): ``[B, C]`` probabilities ``P_t`` (detached).
        sample_weights (Tensor, optional): ``[B]`` non-negative weights.
        class_weights (Tensor, optional): ``[C]`` non-negative weights.

    Returns:
        tuple[Tensor, Tensor]: scalars ``(CC, BC)``.
    """
    batch, num_classes = student_probs.shape
    teacher_probs = teacher_probs.detach()
    gram_tt = teacher_probs @ teacher_probs.T
    gram_ss = student_probs @ student_probs.T
    gram_diff_sq = (gram_tt - gram_ss).square()
    if sample_weights is None:
        bc = gram_diff_sq.sum() / batch
    else:
        bc = (gram_diff_sq * sample_weights[None, :]).sum() / batch
    if class_weights is None:
        gram_ts = teacher_probs @ student_probs.T
        cc = (_frobenius_inner(gram_tt, gram_tt) -
              2 * _frobenius_inner(gram_ts, gram_ts) +
              _frobenius_inner(gram_ss, gram_ss))
    else:
        root = class_weights.sqrt()[None, :]
        teacher_w, student_w = teacher_probs * root, student_probs * root
        cc = (_frobenius_inner(gram_tt, teacher_w @ teacher_w.T) -
              2 * _frobenius_inner(teacher_probs @ student_probs.T,
                                   teacher_w @ student_w.T) +
              _frobenius_inner(gram_ss, student_w @ student_w.T))
    return cc / num_classes, bc


@float32_reductions
def mlkd_loss(student_views: Sequence[Tensor],
              teacher_views: Sequence[Tensor],
              temperatures: Sequence[float],
              standardize: bool = False,
              faithful: bool = True) -> Tensor:
    """MLKD distillation terms without the outer weight (METHODS §8).

    Faithful (``faithful=True``; Jin et al., CVPR'23, official code
    ``KD_ours.py``), with ``temperatures = [T0, 3, 5, 2, 6]``::

        mbar sum_{T} KD_T(s^w, t^w) + sum_{T in T[:3]} KD_T(s^s, t^s)
        + sum_{T in T[3:]} KD_T(s^w, t^w)                       (Q2)
        + nbar sum_{T} CC_T(s^w, t^w) + mbar sum_{T} BC_T(s^w, t^w)

    where ``mbar``/``nbar`` are the kept fractions of the masks (Q1). Each
    weak-view KD_T is computed once: at ``T[3:]`` it enters with weight
    ``mbar + 1``.

    Corrected (``faithful=False``, **not MLKD**): per-sample masks
    ``1/B sum_i m_i T^2 KL_i``, column masks on the Gram differences, and
    the strong logits in the strong KD term at every temperature.

    With ``standardize=True`` logit standardization enters the KD terms
    only; CC and BC use raw logits (METHODS §7.2). CE is not included.
    """
    student_weak, student_strong = student_views
    teacher_weak, teacher_strong = (view.detach() for view in teacher_views)
    masks = mlkd_masks(teacher_weak)
    sample_frac, class_frac = masks.sample.mean(), masks.cls.mean()
    num_repeat = 3 if faithful else len(temperatures)
    loss = student_weak.new_zeros(())
    for index, temperature in enumerate(temperatures):
        s_raw = _log_softmax(student_weak, temperature)
        t_raw = _log_softmax(teacher_weak, temperature)
        p_teacher = t_raw.exp()
        if standardize:
            s_kd = _log_softmax(student_weak, temperature, True)
            t_kd = _log_softmax(teacher_weak, temperature, True)
            kl_weak = _kl_rows(t_kd, s_kd)
        else:
            kl_weak = _kl_rows(t_raw, s_raw, p_teacher)
        scale = temperature**2
        if faithful:
            weight = sample_frac + (1.0 if index >= num_repeat else 0.0)
            loss = loss + weight * scale * kl_weak.mean()
            cc, bc = correlation_distances(s_raw.exp(), p_teacher)
            loss = loss + class_frac * cc + sample_frac * bc
        else:
            loss = loss + scale * (masks.sample * kl_weak).mean()
            cc, bc = correlation_distances(s_raw.exp(), p_teacher,
                                           masks.sample, masks.cls)
            loss = loss + cc + bc
        if index < num_repeat:
            kl_strong = kl_per_sample(student_strong, teacher_strong,
                                      temperature, standardize)
            loss = loss + scale * kl_strong.mean()
    return loss


# ---------------------------------------------------------------------------
# CKD
# ---------------------------------------------------------------------------
@float32_reductions
def ckd_loss(student_logits: Tensor,
             teacher_logits: Tensor,
             temperature: float,
             gather: bool = False) -> Tensor:
    """Sample-wise contrastive KD (Zhu et al., arXiv 2404.14109; METHODS §10).

    ``S_ij = t_i.s_j / (|t_i||s_j|)`` and
    ``L = 1/B sum_i -log softmax_j(S_ij / tau)_i``: rows are teachers, the
    softmax runs over students, positives on the diagonal, in-batch
    teacher-student negatives, no ``T**2``.

    With ``gather=True`` and an initialised process group of more than one
    rank, the rows and columns are the concatenation of all ranks' batches
    (:func:`gather_for_global_batch`); the value on every rank equals the
    single-process loss on the concatenated batch.
    """
    student = F.normalize(student_logits, dim=1)
    teacher = F.normalize(teacher_logits.detach(), dim=1)
    if gather:
        student, teacher = gather_for_global_batch(student, teacher)
    similarity = (teacher @ student.T) / temperature
    targets = torch.arange(similarity.shape[0], device=similarity.device)
    return F.cross_entropy(similarity, targets)


__all__: List[str] = [
    'float32_reductions', 'logit_standardize', 'kl_per_sample', 'kd_loss',
    'DecoupledKL', 'decoupled_kl_per_sample', 'dkd_loss', 'aekt_ratio',
    'aekt_loss', 'crld_masks', 'crld_loss', 'MLKDMasks', 'mlkd_masks',
    'correlation_distances', 'mlkd_loss', 'ckd_loss'
]
