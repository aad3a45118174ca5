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
import contextlib
import functools
import math
import threading
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


def _low_precision_device(values) -> Optional[str]:
    """Device type of the first 16-bit float tensor in ``values`` (also
    inside lists/tuples), or None."""
    for value in values:
        items = value if isinstance(value, (list, tuple)) else (value, )
        for item in items:
            if isinstance(item, Tensor) and item.dtype in LOW_PRECISION_DTYPES:
                return item.device.type
    return None


def _autocast_devices() -> List[str]:
    return [
        device_type for device_type in ('cpu', 'cuda')
        if torch.is_autocast_enabled(device_type)
    ]


_guard_state = threading.local()


def float32_reductions(fn: Callable) -> Callable:
    """Decorator: run ``fn`` without autocast, with 16-bit float tensors
    (also inside list/tuple arguments) upcast to float32.

    Only the outermost decorated call checks and switches anything; calls
    made from inside it (public functions using each other) run directly,
    so the guard costs about a microsecond per loss evaluation.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if getattr(_guard_state, 'active', False):
            return fn(*args, **kwargs)
        values = args + tuple(kwargs.values())
        autocast_devices = _autocast_devices()
        low_device = _low_precision_device(values)
        _guard_state.active = True
        try:
            if low_device is not None:
                args = tuple(_upcast(arg) for arg in args)
                kwargs = {key: _upcast(val) for key, val in kwargs.items()}
            if not autocast_devices:
                return fn(*args, **kwargs)
            with contextlib.ExitStack() as stack:
                for device_type in autocast_devices:
                    stack.enter_context(
                        torch.autocast(device_type=device_type, enabled=False))
                return fn(*args, **kwargs)
        finally:
            _guard_state.active = False

    return wrapper


# ---------------------------------------------------------------------------
# Shared primitives
# ---------------------------------------------------------------------------
class _StandardizeAndScale(torch.autograd.Function):
    """Fused ``Z(z) / T`` (or the uncentered ``z / (T (sigma + eps))``) with
    a hand-written backward: one autograd node instead of about eight.

    With ``k = 1 / (T (sigma + eps))``, ``sigma`` the unbiased std,
    ``z' = z - mean(z)`` and the incoming gradient ``g``::

        d sigma / d z_j = z'_j / ((C - 1) sigma),   d k / d sigma = -T k^2
        centered   (y = z' k):  dL/dz = k (g - mean(g)) + a z'
        uncentered (y = z k):   dL/dz = k g + a z'
        a = -T k^2 <g, y / k> / ((C - 1) sigma)

    For constant rows (sigma = 0) sigma has no derivative; that term is set
    to 0, so the gradient stays finite. Checked with gradcheck in the tests.
    """

    @staticmethod
    def forward(ctx, logits: Tensor, temperature: float, eps: float,
                center: bool) -> Tensor:
        var, mean = torch.var_mean(logits, dim=1, keepdim=True, correction=1)
        sigma = var.sqrt()
        scale = 1.0 / (temperature * (sigma + eps))
        ctx.save_for_backward(logits, mean, sigma, scale)
        ctx.temperature, ctx.center = temperature, center
        return ((logits - mean) if center else logits) * scale

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad: Tensor):
        logits, mean, sigma, scale = ctx.saved_tensors
        centered = logits - mean
        if ctx.center:
            direct = scale * (grad - grad.mean(dim=1, keepdim=True))
            dot = (grad * centered).sum(dim=1, keepdim=True)
        else:
            direct = scale * grad
            dot = (grad * logits).sum(dim=1, keepdim=True)
        dof = logits.shape[1] - 1
        safe_sigma = sigma.clamp_min(torch.finfo(sigma.dtype).tiny)
        coefficient = torch.where(
            sigma > 0,
            -ctx.temperature * scale.square() * dot / (dof * safe_sigma),
            torch.zeros_like(sigma))
        return direct + coefficient * centered, None, None, None


def _scaled_logits(logits: Tensor,
                   temperature: float,
                   standardize: bool,
                   eps: float = LS_EPS,
                   center: bool = False) -> Tensor:
    """``z / T``, or the logit standardization ``Z(z) / T`` (METHODS §7.1)
    with both scalings folded into one factor.

    ``center=False`` (used by the losses) skips subtracting the mean:
    everything downstream is a (masked) softmax, which is invariant to a
    per-row shift, so ``z / (T (sigma + eps))`` gives exactly the same
    probabilities and gradients as ``Z(z) / T`` with one pass less.
    """
    if standardize:
        return _StandardizeAndScale.apply(logits, temperature, eps, center)
    return logits if temperature == 1 else logits / temperature


def _log_softmax(logits: Tensor,
                 temperature: float,
                 standardize: bool = False) -> Tensor:
    return F.log_softmax(_scaled_logits(logits, temperature, standardize), 1)


def _kl_terms(teacher_log_probs: Tensor,
              student_log_probs: Tensor,
              teacher_probs: Optional[Tensor] = None) -> Tensor:
    """Pointwise ``p_c (log p_c - log q_c)``, ``[B, C]``; summed over the
    classes it is ``KL(p || q)`` per row.

    ``teacher_probs`` (= ``exp(teacher_log_probs)``) may be passed in when
    the same teacher distribution enters several KL terms.
    """
    if teacher_probs is None:
        teacher_probs = teacher_log_probs.exp()
    return teacher_probs * (teacher_log_probs - student_log_probs)


def _kl_rows(teacher_log_probs: Tensor,
             student_log_probs: Tensor,
             teacher_probs: Optional[Tensor] = None) -> Tensor:
    """``KL(p || q)`` per row (over the last dimension); ``[..., B]``."""
    return _kl_terms(teacher_log_probs, student_log_probs,
                     teacher_probs).sum(-1)


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
    return _scaled_logits(logits, 1.0, True, eps, center=True)


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
    student = _log_softmax(student_logits, temperature, standardize)
    teacher = _log_softmax(teacher_logits.detach(), temperature, standardize)
    return _kl_rows(teacher, student)


@float32_reductions
def kd_loss(student_logits: Tensor,
            teacher_logits: Tensor,
            temperature: float,
            standardize: bool = False,
            loss_weight: float = 1.0) -> Tensor:
    """Hinton KD term ``w T**2 mean_i KL(p^T(t_i) || p^T(s_i))`` (METHODS §5).

    With ``standardize=True`` this is KD+LS: ``T`` is the base temperature
    and the factor stays ``T**2`` (METHODS §7.2). The batch mean, ``T**2``
    and ``loss_weight`` are one final multiplication.
    """
    student = _log_softmax(student_logits, temperature, standardize)
    teacher = _log_softmax(teacher_logits.detach(), temperature, standardize)
    scale = loss_weight * temperature**2 / student_logits.shape[0]
    return _kl_terms(teacher, student).sum() * scale


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


class _DecoupledPieces(NamedTuple):
    """Per-sample pieces of DKD (see :func:`_decoupled_pieces`)."""
    kl: Tensor
    nckd: Tensor
    teacher_non_target: Tensor
    student_log_target: Tensor
    teacher_log_target: Tensor


def _decoupled_pieces(student_logits: Tensor, teacher_logits: Tensor,
                      labels: Tensor, temperature: float,
                      standardize: bool) -> _DecoupledPieces:
    """Full KL, NCKD and the teacher's non-target mass ``b_1`` per sample.

    DKD's identity ``KL(p || q) = TCKD + b_1 NCKD`` (Zhao et al., Eq. 1-3)
    gives ``alpha TCKD + beta NCKD = alpha KL + (beta - alpha b_1) NCKD``:
    both KLs in direct-difference form from one full and one non-target
    log-softmax per model (the non-target normaliser is the one extra
    reduction the decomposition needs; the official code uses two softmaxes
    and two log-softmaxes per model), and ``b_1`` enters only as a
    coefficient, never inside a ``log``. The non-target log-softmax puts
    the target logit at ``-inf`` (exact; the official -1000 offset fails
    for logit gaps above 1000); its target column is then set to 0, where
    the teacher weight is 0. Nothing here becomes ``inf`` when a
    probability underflows (the official code takes ``log`` of the binary
    masses without epsilon).
    """
    target_mask = torch.zeros_like(student_logits, dtype=torch.bool)
    target_mask.scatter_(1, labels[:, None], True)
    student = _scaled_logits(student_logits, temperature, standardize)
    teacher = _scaled_logits(teacher_logits.detach(), temperature, standardize)
    student_log_probs = F.log_softmax(student, dim=1)
    student_log_hat = F.log_softmax(student.masked_fill(
        target_mask, float('-inf')),
                                    dim=1)
    teacher_log_probs = F.log_softmax(teacher, dim=1)
    teacher_log_hat = F.log_softmax(teacher.masked_fill(
        target_mask, float('-inf')),
                                    dim=1)
    teacher_probs = teacher_log_probs.exp()
    teacher_hat = teacher_log_hat.exp()  # exactly 0 at the target
    kl = _kl_rows(teacher_log_probs, student_log_probs, teacher_probs)
    nckd = _kl_rows(teacher_log_hat.masked_fill(target_mask, 0.0),
                    student_log_hat.masked_fill(target_mask, 0.0), teacher_hat)
    non_target = teacher_probs.masked_fill(target_mask, 0.0).sum(1)
    return _DecoupledPieces(
        kl, nckd, non_target,
        student_log_probs.gather(1, labels[:, None]).squeeze(1),
        teacher_log_probs.gather(1, labels[:, None]).squeeze(1))


@float32_reductions
def decoupled_kl_per_sample(student_logits: Tensor,
                            teacher_logits: Tensor,
                            labels: Tensor,
                            temperature: float,
                            standardize: bool = False) -> DecoupledKL:
    """DKD's TCKD and NCKD per sample (Zhao et al., CVPR'22; METHODS §6).

    ``TCKD = KL - b_1 NCKD`` with the pieces of :func:`_decoupled_pieces`:
    the value equals the official one wherever that is finite and stays
    finite where the official one is ``inf`` (a student target probability
    that underflows).

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
    pieces = _decoupled_pieces(student_logits, teacher_logits, labels,
                               temperature, standardize)
    tckd = pieces.kl - pieces.teacher_non_target * pieces.nckd
    return DecoupledKL(tckd, pieces.nckd, pieces.student_log_target,
                       pieces.teacher_log_target)


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
    evaluated as ``alpha KL_i + (beta - alpha b_1,i) NCKD_i``.

    :class:`DKDLoss` passes its outer weight times the warm-up factor as
    ``loss_weight``.
    """
    pieces = _decoupled_pieces(student_logits, teacher_logits, labels,
                               temperature, standardize)
    nckd_weight = beta - alpha * pieces.teacher_non_target
    scale = loss_weight * temperature**2 / student_logits.shape[0]
    return (alpha * pieces.kl + nckd_weight * pieces.nckd).sum() * scale


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
              eps: float = 1e-8,
              loss_weight: float = 1.0) -> Tensor:
    """AEKT (mmlogitkd interpretation, METHODS §11.2).

    ``w T**2 mean_i (alpha r_i TCKD_i + beta NCKD_i)`` on the serialized
    student logits ``u = g(s)``, where ``r_i`` is :func:`aekt_ratio`.
    :class:`AEKTLoss` passes its outer weight times the warm-up factor as
    ``loss_weight``.
    """
    pieces = _decoupled_pieces(serialized_logits, teacher_logits, labels,
                               temperature, False)
    ratio = aekt_ratio(pieces.student_log_target, pieces.teacher_log_target,
                       max_ratio, eps)
    tckd_weight = alpha * ratio
    nckd_weight = beta - tckd_weight * pieces.teacher_non_target
    scale = loss_weight * temperature**2 / serialized_logits.shape[0]
    return (tckd_weight * pieces.kl + nckd_weight * pieces.nckd).sum() * scale


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
    scale = temperature**2 / student_weak.shape[0]
    return ((weak_mask * within).sum() * (within_view_weight * scale) +
            (strong_mask * cross).sum() * (cross_view_weight * scale))


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
    """``<a, b>_F`` over the last two dimensions."""
    return (a * b).sum(dim=(-2, -1))


def _gram(a: Tensor, b: Tensor) -> Tensor:
    """``a b^T`` over the last two dimensions."""
    return a @ b.transpose(-2, -1)


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
        student_probs (Tensor): ``[..., B, C]`` probabilities ``P_s``;
            leading dimensions (e.g. temperatures) are batched.
        teacher_probs (Tensor): ``[..., B, C]`` probabilities ``P_t``
            (detached).
        sample_weights (Tensor, optional): ``[B]`` non-negative weights.
        class_weights (Tensor, optional): ``[C]`` non-negative weights.

    Returns:
        tuple[Tensor, Tensor]: ``(CC, BC)`` of shape ``[...]``.
    """
    batch, num_classes = student_probs.shape[-2:]
    teacher_probs = teacher_probs.detach()
    gram_tt = _gram(teacher_probs, teacher_probs)
    gram_ss = _gram(student_probs, student_probs)
    gram_diff_sq = (gram_tt - gram_ss).square()
    if sample_weights is not None:
        gram_diff_sq = gram_diff_sq * sample_weights
    bc = gram_diff_sq.sum(dim=(-2, -1)) / batch
    if class_weights is None:
        gram_ts = _gram(teacher_probs, student_probs)
        cc = (_frobenius_inner(gram_tt, gram_tt) -
              2 * _frobenius_inner(gram_ts, gram_ts) +
              _frobenius_inner(gram_ss, gram_ss))
    else:
        root = class_weights.sqrt()
        teacher_w, student_w = teacher_probs * root, student_probs * root
        cc = (_frobenius_inner(gram_tt, _gram(teacher_w, teacher_w)) -
              2 * _frobenius_inner(_gram(teacher_probs, student_probs),
                                   _gram(teacher_w, student_w)) +
              _frobenius_inner(gram_ss, _gram(student_w, student_w)))
    return cc / num_classes, bc


def _multi_temperature_log_softmax(student: Tensor, teacher: Tensor,
                                   temperatures: Tensor,
                                   standardize: bool) -> Tuple[Tensor, Tensor]:
    """``log_softmax`` of a student/teacher pair at K temperatures at once
    (``temperatures`` has shape ``[K, 1, 1]``); returns ``[K, B, C]``
    student and teacher log-probabilities."""
    return tuple(
        F.log_softmax(_scaled_logits(z, 1.0, standardize) / temperatures,
                      dim=-1) for z in (student, teacher.detach()))


@float32_reductions
def mlkd_loss(student_views: Sequence[Tensor],
              teacher_views: Sequence[Tensor],
              temperatures: Sequence[float],
              standardize: bool = False,
              faithful: bool = True,
              loss_weight: float = 1.0) -> Tensor:
    """MLKD distillation terms times the outer weight w (METHODS §8).

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

    All temperatures are processed together as a leading dimension (one
    log-softmax per view pair, batched Gram matrices).
    """
    student_weak, student_strong = student_views
    teacher_weak, teacher_strong = (view.detach() for view in teacher_views)
    batch = student_weak.shape[0]
    masks = mlkd_masks(teacher_weak)
    temps = torch.tensor(temperatures,
                         dtype=student_weak.dtype,
                         device=student_weak.device)
    num_strong = 3 if faithful else len(temperatures)
    # Weak view, raw logits: CC and BC (and KD without LS).
    s_raw, t_raw = _multi_temperature_log_softmax(student_weak, teacher_weak,
                                                  temps[:, None, None], False)
    p_teacher = t_raw.exp()
    if standardize:
        s_kd, t_kd = _multi_temperature_log_softmax(student_weak, teacher_weak,
                                                    temps[:, None, None], True)
        kl_weak = _kl_rows(t_kd, s_kd)
    else:
        kl_weak = _kl_rows(t_raw, s_raw, p_teacher)  # [K, B]
    s_strong, t_strong = _multi_temperature_log_softmax(
        student_strong, teacher_strong, temps[:num_strong, None, None],
        standardize)
    kl_strong = _kl_rows(t_strong, s_strong)  # [K_strong, B]
    squared = temps.square()
    if faithful:
        sample_frac, class_frac = masks.sample.mean(), masks.cls.mean()
        repeated = (torch.arange(len(temperatures), device=temps.device)
                    >= num_strong).to(temps.dtype)
        kd = ((kl_weak.sum(1) * (squared * (sample_frac + repeated))).sum() +
              (kl_strong.sum(1) * squared[:num_strong]).sum()) / batch
        cc, bc = correlation_distances(s_raw.exp(), p_teacher)
        correlation = class_frac * cc.sum() + sample_frac * bc.sum()
    else:
        kd = (((kl_weak * masks.sample).sum(1) * squared).sum() +
              (kl_strong.sum(1) * squared).sum()) / batch
        cc, bc = correlation_distances(s_raw.exp(), p_teacher, masks.sample,
                                       masks.cls)
        correlation = cc.sum() + bc.sum()
    return (kd + correlation) * loss_weight


# ---------------------------------------------------------------------------
# CKD
# ---------------------------------------------------------------------------
@float32_reductions
def ckd_loss(student_logits: Tensor,
             teacher_logits: Tensor,
             temperature: float,
             gather: bool = False,
             loss_weight: float = 1.0) -> Tensor:
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
    if temperature != 1:  # 1/tau folded into the gradient-free teacher side
        teacher = teacher / temperature
    if gather:
        student, teacher = gather_for_global_batch(student, teacher)
    logits = teacher @ student.T
    targets = torch.arange(logits.shape[0], device=logits.device)
    loss = F.cross_entropy(logits, targets)
    return loss if loss_weight == 1 else loss * loss_weight


__all__: List[str] = [
    'float32_reductions', 'logit_standardize', 'kl_per_sample', 'kd_loss',
    'DecoupledKL', 'decoupled_kl_per_sample', 'dkd_loss', 'aekt_ratio',
    'aekt_loss', 'crld_masks', 'crld_loss', 'MLKDMasks', 'mlkd_masks',
    'correlation_distances', 'mlkd_loss', 'ckd_loss'
]
