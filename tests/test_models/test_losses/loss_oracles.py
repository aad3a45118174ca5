"""Slow, loop-based test oracles written from the formulas of docs/methods/.

They deliberately share no code with ``mmlogitkd.models.losses``: every
quantity is computed sample by sample (and class by class where the formula
is written that way) in float64, following the document's definitions
literally (probabilities first, then ``log``; explicit renormalisation of the
non-target classes; explicit medians; explicit Gram matrices).
"""
import math
from typing import List, Sequence

import torch
from torch import Tensor


def softmax_row(z: Tensor, temperature: float = 1.0) -> Tensor:
    scaled = [float(v) / temperature for v in z]
    top = max(scaled)
    exps = [math.exp(v - top) for v in scaled]
    total = sum(exps)
    return torch.tensor([e / total for e in exps], dtype=torch.float64)


def kl(p: Sequence[float], q: Sequence[float]) -> float:
    """KL(p || q) = sum_c p_c (log p_c - log q_c), terms with p_c = 0 are 0."""
    return sum(
        float(pc) * (math.log(float(pc)) - math.log(float(qc)))
        for pc, qc in zip(p, q) if float(pc) > 0)


def standardize_row(z: Tensor, eps: float = 1e-7) -> Tensor:
    values = [float(v) for v in z]
    mean = sum(values) / len(values)
    std = math.sqrt(sum((v - mean)**2 for v in values) / (len(values) - 1))
    return torch.tensor([(v - mean) / (std + eps) for v in values],
                        dtype=torch.float64)


def maybe_standardize(z: Tensor, standardize: bool) -> Tensor:
    return standardize_row(z) if standardize else z.double()


def kd(s: Tensor,
       t: Tensor,
       temperature: float,
       standardize: bool = False) -> float:
    """T^2 * 1/B sum_i KL(p^T(t_i) || p^T(s_i)) (docs/methods/kd.md, §7.2)."""
    total = 0.0
    for s_row, t_row in zip(s, t):
        s_row = maybe_standardize(s_row, standardize)
        t_row = maybe_standardize(t_row, standardize)
        total += kl(softmax_row(t_row, temperature),
                    softmax_row(s_row, temperature))
    return temperature**2 * total / s.shape[0]


def tckd_nckd_row(s_row: Tensor, t_row: Tensor, label: int,
                  temperature: float) -> List[float]:
    """docs/methods/dkd.md definitions: binary masses b and non-target
    softmax."""
    ps = softmax_row(s_row, temperature)
    pt = softmax_row(t_row, temperature)
    bs = [
        float(ps[label]),
        sum(float(v) for c, v in enumerate(ps) if c != label)
    ]
    bt = [
        float(pt[label]),
        sum(float(v) for c, v in enumerate(pt) if c != label)
    ]
    tckd = kl(bt, bs)
    others = [c for c in range(len(s_row)) if c != label]
    hat_s = softmax_row(s_row[others], temperature)
    hat_t = softmax_row(t_row[others], temperature)
    nckd = kl(hat_t, hat_s)
    return [tckd, nckd, bs[0], bt[0]]


def dkd(s: Tensor,
        t: Tensor,
        labels: Tensor,
        temperature: float,
        alpha: float,
        beta: float,
        standardize: bool = False) -> float:
    total = 0.0
    for s_row, t_row, label in zip(s, t, labels):
        s_row = maybe_standardize(s_row, standardize)
        t_row = maybe_standardize(t_row, standardize)
        tckd, nckd, _, _ = tckd_nckd_row(s_row, t_row, int(label), temperature)
        total += alpha * tckd + beta * nckd
    return temperature**2 * total / s.shape[0]


def aekt(u: Tensor,
         t: Tensor,
         labels: Tensor,
         temperature: float,
         alpha: float,
         beta: float,
         max_ratio: float,
         eps: float = 1e-8) -> float:
    """docs/methods/aekt.md#design-as-implemented: alpha L_exp + L_imp (no
    warm-up)."""
    explicit = implicit = 0.0
    for u_row, t_row, label in zip(u, t, labels):
        tckd, nckd, b_u, b_t = tckd_nckd_row(u_row.double(), t_row.double(),
                                             int(label), temperature)
        ratio = min(max(b_t / max(b_u, eps), 0.0), max_ratio)
        explicit += ratio * tckd
        implicit += nckd
    batch = u.shape[0]
    return temperature**2 * (alpha * explicit + beta * implicit) / batch


def max_prob(row: Tensor) -> float:
    return float(softmax_row(row, 1.0).max())


def crld(s_views,
         t_views,
         temperature,
         tau_w,
         tau_s,
         w_wv,
         w_cv,
         standardize=False) -> float:
    """docs/methods/crld.md#loss, sample by sample."""
    (s_w, s_s), (t_w, t_s) = s_views, t_views
    total = 0.0
    for i in range(s_w.shape[0]):
        m_w = 1.0 if max_prob(t_w[i]) >= tau_w else 0.0
        m_s = 1.0 if max_prob(t_s[i]) >= tau_s else 0.0
        sw, ss = (maybe_standardize(s_w[i], standardize),
                  maybe_standardize(s_s[i], standardize))
        tw, ts = (maybe_standardize(t_w[i], standardize),
                  maybe_standardize(t_s[i], standardize))
        p = {
            name: softmax_row(row, temperature)
            for name, row in (('sw', sw), ('ss', ss), ('tw', tw), ('ts', ts))
        }
        within = kl(p['tw'], p['sw']) + kl(p['ts'], p['ss'])
        cross = kl(p['tw'], p['ss']) + kl(p['ts'], p['sw'])
        total += temperature**2 * (w_wv * m_w * within + w_cv * m_s * cross)
    return total / s_w.shape[0]


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    if n % 2:
        return ordered[n // 2]
    return 0.5 * (ordered[n // 2 - 1] + ordered[n // 2])


def mlkd_masks(t_w: Tensor):
    probs = [softmax_row(row, 1.0) for row in t_w]
    conf = [float(p.max()) for p in probs]
    mass = [sum(float(p[c]) for p in probs) for c in range(t_w.shape[1])]
    conf_median, mass_median = median(conf), median(mass)
    sample = [1.0 if v <= conf_median else 0.0 for v in conf]
    cls = [1.0 if v <= mass_median else 0.0 for v in mass]
    return sample, cls


def _probs(z: Tensor, temperature: float) -> Tensor:
    return torch.stack([softmax_row(row, temperature) for row in z])


def class_gram(p: Tensor) -> Tensor:
    """C x C: sum over samples of outer products."""
    gram = torch.zeros(p.shape[1], p.shape[1], dtype=torch.float64)
    for row in p:
        gram += torch.outer(row, row)
    return gram


def batch_gram(p: Tensor) -> Tensor:
    batch = p.shape[0]
    gram = torch.zeros(batch, batch, dtype=torch.float64)
    for i in range(batch):
        for j in range(batch):
            gram[i, j] = float((p[i] * p[j]).sum())
    return gram


def cc_bc(s: Tensor,
          t: Tensor,
          temperature: float,
          sample_mask=None,
          class_mask=None):
    ps, pt = _probs(s, temperature), _probs(t, temperature)
    diff_c = (class_gram(pt) - class_gram(ps))**2
    diff_b = (batch_gram(pt) - batch_gram(ps))**2
    if class_mask is not None:
        diff_c = diff_c * torch.tensor(class_mask, dtype=torch.float64)
    if sample_mask is not None:
        diff_b = diff_b * torch.tensor(sample_mask, dtype=torch.float64)
    return float(diff_c.sum()) / s.shape[1], float(diff_b.sum()) / s.shape[0]


def kd_masked(s, t, temperature, weights, standardize=False) -> float:
    total = 0.0
    for s_row, t_row, weight in zip(s, t, weights):
        s_row = maybe_standardize(s_row, standardize)
        t_row = maybe_standardize(t_row, standardize)
        total += weight * kl(softmax_row(t_row, temperature),
                             softmax_row(s_row, temperature))
    return temperature**2 * total / s.shape[0]


def mlkd(s_views,
         t_views,
         temperatures,
         weight,
         standardize=False,
         faithful=True) -> float:
    """docs/methods/mlkd.md#loss (faithful) and the documented corrected
    variant."""
    (s_w, s_s), (t_w, t_s) = s_views, t_views
    sample, cls = mlkd_masks(t_w)
    m_bar, n_bar = sum(sample) / len(sample), sum(cls) / len(cls)
    loss = 0.0
    if faithful:
        for T in temperatures:
            loss += m_bar * kd(s_w, t_w, T, standardize)
        for T in temperatures[:3]:
            loss += kd(s_s, t_s, T, standardize)
        for T in temperatures[3:]:
            loss += kd(s_w, t_w, T, standardize)  # Q2: weak logits
        for T in temperatures:
            cc, bc = cc_bc(s_w, t_w, T)
            loss += n_bar * cc + m_bar * bc
    else:
        for T in temperatures:
            loss += kd_masked(s_w, t_w, T, sample, standardize)
            loss += kd(s_s, t_s, T, standardize)
            cc, bc = cc_bc(s_w, t_w, T, sample_mask=sample, class_mask=cls)
            loss += cc + bc
    return weight * loss


def ckd(s: Tensor, t: Tensor, tau: float) -> float:
    """1/B sum_i -log(exp(S_ii/tau) / sum_j exp(S_ij/tau)), S_ij = cos(t_i,
    s_j)."""
    batch = s.shape[0]
    total = 0.0
    for i in range(batch):
        row = []
        for j in range(batch):
            dot = float((t[i].double() * s[j].double()).sum())
            norm = (float(t[i].double().norm()) * float(s[j].double().norm()))
            row.append(dot / norm / tau)
        top = max(row)
        log_den = top + math.log(sum(math.exp(v - top) for v in row))
        total += log_den - row[i]
    return total / batch
