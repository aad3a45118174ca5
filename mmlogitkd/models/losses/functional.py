"""Primitives shared by the mmlogitkd distillation losses.

Only what several methods use lives here (temperature scaling and logit
standardization, row-wise KL divergences, the DKD decomposition shared by
DKD and AEKT, the float32 guard). Each method's own function sits beside its
registered module in ``<method>_loss.py``. Formulas and sources:
``docs/losses.md`` and ``docs/methods/``.

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
import threading
from typing import Callable, List, NamedTuple, Optional

import torch
import torch.nn.functional as F
from torch import Tensor


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
def _row_mean_std(logits: Tensor):
    """Per-row mean and unbiased standard deviation, ``[B, 1]`` each.

    Two passes (mean, then the sum of squared deviations): as exact as
    ``torch.var_mean`` and 2-5x faster on the CPU for logit-sized rows.
    """
    mean = logits.mean(dim=1, keepdim=True)
    centered = logits - mean
    var = (centered * centered).sum(dim=1, keepdim=True) / (
        logits.shape[1] - 1)
    return mean, var.sqrt()


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
        mean, sigma = _row_mean_std(logits)
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


def scaled_logits(logits: Tensor,
                   temperature: float,
                   standardize: bool,
                   eps: float = LS_EPS,
                   center: bool = False) -> Tensor:
    """``z / T``, or the logit standardization ``Z(z) / T``
    (``docs/methods/ls.md#the-pre-process``)
    with both scalings folded into one factor.

    ``center=False`` (used by the losses) skips subtracting the mean:
    everything downstream is a (masked) softmax, which is invariant to a
    per-row shift, so ``z / (T (sigma + eps))`` gives exactly the same
    probabilities and gradients as ``Z(z) / T`` with one pass less.
    """
    if standardize:
        return _StandardizeAndScale.apply(logits, temperature, eps, center)
    return logits if temperature == 1 else logits / temperature


def log_softmax_at(logits: Tensor,
                 temperature: float,
                 standardize: bool = False) -> Tensor:
    return F.log_softmax(scaled_logits(logits, temperature, standardize), 1)


def kl_terms(teacher_log_probs: Tensor,
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


def kl_rows(teacher_log_probs: Tensor,
             student_log_probs: Tensor,
             teacher_probs: Optional[Tensor] = None) -> Tensor:
    """``KL(p || q)`` per row (over the last dimension); ``[..., B]``."""
    return kl_terms(teacher_log_probs, student_log_probs,
                     teacher_probs).sum(-1)


def max_probability(logits: Tensor) -> Tensor:
    """Confidence ``max_c softmax(z)_c`` at T = 1, ``[B]`` (no gradient)."""
    return F.softmax(logits.detach(), dim=1).amax(dim=1)


# ---------------------------------------------------------------------------
# KD and logit standardization
# ---------------------------------------------------------------------------
@float32_reductions
def logit_standardize(logits: Tensor, eps: float = LS_EPS) -> Tensor:
    """Per-sample Z-score of logits (Sun et al., CVPR'24;
    ``docs/methods/ls.md#the-pre-process``).

    ``Z(z)_c = (z_c - mean(z)) / (std(z) + eps)`` along the class dimension,
    with the **unbiased** std (divides by C - 1) and eps added to sigma.

    Args:
        logits (Tensor): ``[B, C]`` logits, C >= 2.
        eps (float): added to the standard deviation. Defaults to 1e-7 (the
            official value).

    Returns:
        Tensor: ``[B, C]`` standardized logits.
    """
    return scaled_logits(logits, 1.0, True, eps, center=True)


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
    student = log_softmax_at(student_logits, temperature, standardize)
    teacher = log_softmax_at(teacher_logits.detach(), temperature, standardize)
    return kl_rows(teacher, student)


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


class DecoupledPieces(NamedTuple):
    """Per-sample pieces of DKD (see :func:`_decoupled_pieces`)."""
    kl: Tensor
    nckd: Tensor
    teacher_non_target: Tensor
    student_log_target: Tensor
    teacher_log_target: Tensor


def decoupled_pieces(student_logits: Tensor, teacher_logits: Tensor,
                      labels: Tensor, temperature: float,
                      standardize: bool) -> DecoupledPieces:
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
    student = scaled_logits(student_logits, temperature, standardize)
    teacher = scaled_logits(teacher_logits.detach(), temperature, standardize)
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
    kl = kl_rows(teacher_log_probs, student_log_probs, teacher_probs)
    nckd = kl_rows(teacher_log_hat.masked_fill(target_mask, 0.0),
                    student_log_hat.masked_fill(target_mask, 0.0), teacher_hat)
    non_target = teacher_probs.masked_fill(target_mask, 0.0).sum(1)
    return DecoupledPieces(
        kl, nckd, non_target,
        student_log_probs.gather(1, labels[:, None]).squeeze(1),
        teacher_log_probs.gather(1, labels[:, None]).squeeze(1))


@float32_reductions
def decoupled_kl_per_sample(student_logits: Tensor,
                            teacher_logits: Tensor,
                            labels: Tensor,
                            temperature: float,
                            standardize: bool = False) -> DecoupledKL:
    """DKD's TCKD and NCKD per sample (Zhao et al., CVPR'22;
    ``docs/methods/dkd.md``).

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
    pieces = decoupled_pieces(student_logits, teacher_logits, labels,
                               temperature, standardize)
    tckd = pieces.kl - pieces.teacher_non_target * pieces.nckd
    return DecoupledKL(tckd, pieces.nckd, pieces.student_log_target,
                       pieces.teacher_log_target)


def row_std(logits: Tensor) -> Tensor:
    """Each row's unbiased standard deviation, ``[B]`` (no gradient)."""
    with torch.no_grad():
        return _row_mean_std(logits.detach())[1][:, 0]


__all__: List[str] = [
    'float32_reductions', 'scaled_logits', 'log_softmax_at', 'kl_terms',
    'kl_rows', 'max_probability', 'logit_standardize', 'kl_per_sample',
    'DecoupledKL', 'DecoupledPieces', 'decoupled_pieces',
    'decoupled_kl_per_sample', 'row_std'
]
