"""Hand-derived properties of each loss (docs/methods/kd.md-§11, §13)."""
import warnings

import pytest
import torch
import torch.nn.functional as F

from mmlogitkd.models.heads import TaskSerialization
from mmlogitkd.models.losses import (AEKTLoss, CKDLoss, CRLDLoss, DKDLoss,
                                     KDLoss, MLKDLoss)
from mmlogitkd.models import losses as LF
from mmlogitkd.models.losses.kd_loss import kd_loss
from mmlogitkd.models.losses.crld_loss import crld_loss

TEMPS = (4.0, 3.0, 5.0, 2.0, 6.0)


def randn(*shape, seed=0, scale=3.0, dtype=torch.float64):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=generator, dtype=dtype) * scale


def random_labels(batch, num_classes, seed):
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, num_classes, (batch, ), generator=generator)


# --------------------------------------------------------------------- KD ---
def test_kd_identical_logits_give_zero():
    s = randn(8, 10)
    assert KDLoss(temperature=4.0, loss_weight=0.9)(s, s.clone()).item() == pytest.approx(0, abs=1e-12)
    assert KDLoss(temperature=2.0, loss_weight=9.0, standardize=True)(s, s.clone()).item() == \
        pytest.approx(0, abs=1e-12)


def test_kd_gradient_is_temperature_times_probability_gap():
    """d(T^2 KL)/ds = T (p^T(s) - p^T(t)) / B (docs/methods/kd.md)."""
    s, t = randn(6, 7, seed=1).requires_grad_(), randn(6, 7, seed=2)
    temperature, weight = 4.0, 0.9
    KDLoss(temperature=temperature, loss_weight=weight)(s, t).backward()
    expected = weight * temperature * (F.softmax(s.detach() / temperature, 1) -
                                       F.softmax(t / temperature, 1)) / 6
    torch.testing.assert_close(s.grad, expected)


def test_kd_equals_tckd_plus_weighted_nckd_per_sample():
    """KL = TCKD + (1 - p^T(t)_y) NCKD, i.e. KD = DKD with alpha = 1 and
    beta = 1 - p_t,y (docs/methods/dkd.md)."""
    s, t = randn(16, 10, seed=3), randn(16, 10, seed=4)
    y = random_labels(16, 10, seed=0)
    for temperature in (1.0, 4.0):
        kl = LF.kl_per_sample(s, t, temperature)
        parts = LF.decoupled_kl_per_sample(s, t, y, temperature)
        p_target = F.softmax(t / temperature, 1).gather(1, y[:, None])[:, 0]
        torch.testing.assert_close(kl,
                                   parts.tckd + (1 - p_target) * parts.nckd)
    # The module at alpha = 1, beta = 1 - p_t,y (constant across the batch
    # when every sample has the same teacher row) equals KD.
    t_same = t[:1].expand(16, -1)
    y_same = torch.full((16, ), 2)
    beta = 1 - F.softmax(t_same[0] / 4.0, 0)[2].item()
    torch.testing.assert_close(
        DKDLoss(temperature=4.0, alpha=1.0, beta=beta, warmup_epochs=0)(s, t_same, y_same),
        KDLoss(temperature=4.0, loss_weight=1.0)(s, t_same))


# --------------------------------------------------------------------- LS ---
def test_logit_standardize_uses_unbiased_std_and_eps_on_sigma():
    z = randn(5, 9, seed=5)
    mean = z.mean(1, keepdim=True)
    unbiased = (z - mean) / (z.std(1, keepdim=True, correction=1) + 1e-7)
    biased = (z - mean) / (z.std(1, keepdim=True, correction=0) + 1e-7)
    out = LF.logit_standardize(z)
    torch.testing.assert_close(out, unbiased)
    assert not torch.allclose(out, biased)
    # eps is added to sigma, not under the square root: visible at tiny std.
    tiny = torch.tensor([[0.0, 1e-7, 2e-7]], dtype=torch.float64)
    sigma = tiny.std(1, keepdim=True)
    expected = (tiny - tiny.mean(1, keepdim=True)) / (sigma + 1e-7)
    torch.testing.assert_close(LF.logit_standardize(tiny), expected)


def test_logit_standardize_constant_rows_are_zero():
    z = torch.full((3, 6), 2.5, dtype=torch.float64)
    assert torch.equal(LF.logit_standardize(z), torch.zeros_like(z))


def _affine(z, seed):
    generator = torch.Generator().manual_seed(seed)
    scale = torch.rand(z.shape[0], 1, generator=generator,
                       dtype=z.dtype) * 3 + 0.5
    shift = torch.randn(z.shape[0], 1, generator=generator, dtype=z.dtype) * 10
    return z * scale + shift


@pytest.mark.parametrize('build,views,labels', [
    (lambda: KDLoss(temperature=2.0, loss_weight=9.0, standardize=True), 1, False),
    (lambda: DKDLoss(temperature=2.0, alpha=1.0, beta=2.0, warmup_epochs=0, loss_weight=9.0, standardize=True), 1, True),
    (lambda: CRLDLoss(temperature=4.0, weak_threshold=0.0, strong_threshold=0.0, within_view_weight=2.0, cross_view_weight=0.5, standardize=True), 2, False),
])
def test_ls_invariant_to_shift_and_positive_scale(build, views, labels):
    loss = build()
    y = torch.arange(8) % 10
    s = [randn(8, 10, seed=10 + v) for v in range(views)]
    t = [randn(8, 10, seed=20 + v) for v in range(views)]

    def run(ss, tt):
        args = (ss[0], tt[0]) if views == 1 else (ss, tt)
        return loss(*args, y) if labels else loss(*args)

    reference = run(s, t)
    moved_s = [_affine(z, 30 + i) for i, z in enumerate(s)]
    moved_t = [_affine(z, 40 + i) for i, z in enumerate(t)]
    torch.testing.assert_close(run(moved_s, t), reference, rtol=1e-6, atol=0)
    torch.testing.assert_close(run(s, moved_t), reference, rtol=1e-6, atol=0)


def test_mlkd_ls_changes_only_kd_terms():
    """Under LS the CC/BC terms stay on raw logits: scaling the student
    changes the loss through CC/BC only."""
    s_w, s_s, t_w, t_s = (randn(8, 10, seed=i) for i in range(4))
    loss = MLKDLoss(temperatures=TEMPS, loss_weight=1.0, standardize=True)
    base = loss([s_w, s_s], [t_w, t_s])
    scaled = loss([2 * s_w, 2 * s_s], [t_w, t_s])
    cc_bc = lambda z: sum(
        sum(
            LF.correlation_distances(  # noqa: E731
                F.softmax(z / T, 1), F.softmax(t_w / T, 1))) * 0.5
        for T in TEMPS)
    torch.testing.assert_close(scaled - base, cc_bc(2 * s_w) - cc_bc(s_w))


# -------------------------------------------------------------------- DKD ---
def test_dkd_identical_logits_give_zero():
    s = randn(8, 10)
    y = torch.arange(8)
    assert DKDLoss(temperature=4.0, alpha=1.0, beta=8.0, warmup_epochs=0)(s, s.clone(), y).item() == \
        pytest.approx(0, abs=1e-12)


def test_dkd_value_independent_of_batch_duplication():
    """The MMRazor trap
    (docs/methods/dkd.md#known-defects-of-other-implementations): batchmean
    must not grow with B."""
    s = randn(32, 100, seed=1, dtype=torch.float32)
    t = randn(32, 100, seed=2, dtype=torch.float32)
    y = random_labels(32, 100, seed=1)
    loss = DKDLoss(temperature=4.0, alpha=1.0, beta=8.0, warmup_epochs=0)
    single = loss(s, t, y)
    torch.testing.assert_close(
        loss(torch.cat([s, s]), torch.cat([t, t]), torch.cat([y, y])), single)
    torch.testing.assert_close(
        loss(torch.cat([s] * 4), torch.cat([t] * 4), torch.cat([y] * 4)),
        single)


def test_dkd_matches_mmrazor_batchmean_and_not_its_mean():
    """MMRazor's DKDLoss(reduction='batchmean') equals ours; its 'mean' is
    the batch sum, B times larger."""
    from mmrazor.models.losses import DKDLoss as RazorDKD
    s = randn(32, 100, seed=3, dtype=torch.float32)
    t = randn(32, 100, seed=4, dtype=torch.float32)
    y = random_labels(32, 100, seed=2)
    ours = DKDLoss(temperature=4.0, alpha=1.0, beta=8.0, warmup_epochs=0)(s, t, y)
    with warnings.catch_warnings():  # MMRazor's size_average deprecation
        warnings.simplefilter('ignore')
        batchmean = RazorDKD(tau=4.0,
                             alpha=1.0,
                             beta=8.0,
                             reduction='batchmean')(s, t, y)
        mean = RazorDKD(tau=4.0, alpha=1.0, beta=8.0, reduction='mean')(s, t,
                                                                        y)
    torch.testing.assert_close(ours, batchmean, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(mean, 32 * ours, rtol=1e-5, atol=1e-4)


# ------------------------------------------------------------------- MLKD ---
def test_mlkd_kept_fractions_are_half_on_even_batch():
    t_w = randn(8, 10, seed=6)
    masks = LF.mlkd_masks(t_w)
    confidence = F.softmax(t_w, 1).amax(1)
    assert len(set(confidence.tolist())) == 8  # distinct confidences
    assert masks.sample.mean().item() == 0.5
    assert masks.cls.mean().item() == 0.5
    # The kept half is the low-confidence half (Q5).
    kept = confidence[masks.sample.bool()]
    dropped = confidence[~masks.sample.bool()]
    assert kept.max() < dropped.min()


def test_mlkd_identical_logits_give_zero():
    s_w, s_s = randn(8, 10, seed=1), randn(8, 10, seed=2)
    for faithful in (True, False):
        loss = MLKDLoss(temperatures=TEMPS, loss_weight=0.9, faithful=faithful)
        value = loss([s_w, s_s], [s_w.clone(), s_s.clone()])
        assert value.item() == pytest.approx(0, abs=1e-12)


def test_mlkd_faithful_uses_weak_logits_for_two_strong_terms():
    """Q2: the strong view enters only at the first three temperatures."""
    s_w, s_s, t_w, t_s = (randn(8, 10, seed=i) for i in range(4))
    s_s = s_s.clone().requires_grad_()
    loss = MLKDLoss(temperatures=TEMPS, loss_weight=1.0)([s_w, s_s], [t_w, t_s])
    loss.backward()
    expected = torch.autograd.grad(
        sum(kd_loss(s_s, t_s, T) for T in TEMPS[:3]), s_s)[0]
    torch.testing.assert_close(s_s.grad, expected)


def test_correlation_distance_identity_matches_direct_gram_matrices():
    ps = F.softmax(randn(12, 30, seed=1), 1)
    pt = F.softmax(randn(12, 30, seed=2), 1)
    n = (torch.arange(30) % 3 == 0).double()
    m = (torch.arange(12) % 2 == 0).double()
    cc, bc = LF.correlation_distances(ps, pt)
    torch.testing.assert_close(cc, (pt.T @ pt - ps.T @ ps).square().sum() / 30)
    torch.testing.assert_close(bc, (pt @ pt.T - ps @ ps.T).square().sum() / 12)
    cc, bc = LF.correlation_distances(ps, pt, m, n)
    torch.testing.assert_close(
        cc, ((pt.T @ pt - ps.T @ ps).square() * n).sum() / 30)
    torch.testing.assert_close(
        bc, ((pt @ pt.T - ps @ ps.T).square() * m).sum() / 12)


# ------------------------------------------------------------------- CRLD ---
def _teacher_with_confidence(confidences, num_classes=10):
    """Rows whose max softmax probability equals the given confidence."""
    rows = []
    for conf in confidences:
        rest = (1 - conf) / (num_classes - 1)
        probs = torch.full((num_classes, ), rest, dtype=torch.float64)
        probs[0] = conf
        rows.append(probs.log())
    return torch.stack(rows)


def test_crld_masks_select_exactly_rows_above_thresholds():
    t_w = _teacher_with_confidence([0.95, 0.5, 0.91, 0.3, 0.89, 0.99])
    t_s = _teacher_with_confidence([0.25, 0.15, 0.5, 0.21, 0.19, 0.9])
    weak, strong = LF.crld_masks(t_w, t_s, 0.9, 0.2)
    assert weak.tolist() == [1, 0, 1, 0, 0, 1]
    assert strong.tolist() == [1, 0, 1, 1, 0, 1]
    # The loss is the per-row sum over the selected rows divided by B = 6.
    s_w, s_s = randn(6, 10, seed=1), randn(6, 10, seed=2)
    loss = CRLDLoss(temperature=4.0, weak_threshold=0.9, strong_threshold=0.2, within_view_weight=2.0, cross_view_weight=0.5)([s_w, s_s], [t_w, t_s])

    def kl(a, b):
        return 16.0 * LF.kl_per_sample(a, b, 4.0)

    within = kl(s_w, t_w) + kl(s_s, t_s)
    cross = kl(s_s, t_w) + kl(s_w, t_s)
    expected = (2.0 * within[[0, 2, 5]].sum() +
                0.5 * cross[[0, 2, 3, 5]].sum()) / 6
    torch.testing.assert_close(loss, expected)


def test_crld_zero_thresholds_give_four_unmasked_kd_terms():
    s_w, s_s, t_w, t_s = (randn(8, 10, seed=i) for i in range(4))
    loss = CRLDLoss(temperature=4.0, weak_threshold=0.0, strong_threshold=0.0, within_view_weight=2.0, cross_view_weight=0.5)([s_w, s_s], [t_w, t_s])
    kd = lambda a, b: KDLoss(temperature=4.0, loss_weight=1.0)(a, b)  # noqa: E731
    expected = (2.0 * (kd(s_w, t_w) + kd(s_s, t_s)) + 0.5 *
                (kd(s_s, t_w) + kd(s_w, t_s)))
    torch.testing.assert_close(loss, expected)


def test_crld_weak_threshold_above_one_kills_within_view_terms():
    s_w, s_s, t_w, t_s = (randn(8, 10, seed=i) for i in range(4))
    full = crld_loss([s_w, s_s], [t_w, t_s], 4.0, 1.01, 0.0, 2.0, 0.5)
    cross_only = crld_loss([s_w, s_s], [t_w, t_s], 4.0, 0.0, 0.0, 0.0, 0.5)
    torch.testing.assert_close(full, cross_only)
    # The module accepts thresholds in [0, 1] only; tau_w = 1 also removes
    # the within-view terms for a teacher that is never fully saturated.
    module = CRLDLoss(temperature=4.0, weak_threshold=1.0, strong_threshold=0.0, within_view_weight=2.0, cross_view_weight=0.5)([s_w, s_s], [t_w, t_s])
    torch.testing.assert_close(module, cross_only)


# -------------------------------------------------------------------- CKD ---
def test_ckd_lower_on_aligned_than_on_shuffled_batch():
    t = randn(16, 20, seed=1)
    aligned = t + 0.1 * randn(16, 20, seed=2)
    shuffled = aligned[torch.roll(torch.arange(16), 1)]
    loss = CKDLoss(temperature=1.0, loss_weight=1.0)
    assert loss(aligned, t) < loss(shuffled, t)


def test_ckd_single_sample_gives_zero():
    s, t = randn(1, 10, seed=1), randn(1, 10, seed=2)
    with pytest.warns(UserWarning, match='batch_size >= 2'):
        loss = CKDLoss(temperature=1.0, loss_weight=10.0)(s, t)
    assert loss.item() == 0.0


def test_ckd_invariant_to_positive_rescaling():
    s, t = randn(8, 10, seed=1), randn(8, 10, seed=2)
    loss = CKDLoss(temperature=2.0, loss_weight=1.0)
    row_scale = torch.rand(8, 1, dtype=torch.float64) + 0.5
    torch.testing.assert_close(loss(s * row_scale, 3.0 * t), loss(s, t))


def test_ckd_depends_on_how_the_batch_is_split():
    """Documents the per-GPU dependence
    (docs/methods/ckd.md#known-defects-of-other-implementations)."""
    s, t = randn(8, 10, seed=1), randn(8, 10, seed=2)
    loss = CKDLoss(temperature=1.0, loss_weight=1.0)
    halves = (loss(s[:4], t[:4]) + loss(s[4:], t[4:])) / 2
    assert not torch.allclose(loss(s, t), halves)
    # Without a process group, gather=True is the local loss.
    torch.testing.assert_close(
        CKDLoss(temperature=1.0, loss_weight=1.0, gather=True)(s, t), loss(s, t))


# ------------------------------------------------------------------- AEKT ---
def test_aekt_with_unit_ratio_is_dkd(monkeypatch):
    """docs/methods/aekt.md#design-as-implemented test 1: r = 1, alpha = 1,
    identity layer -> L_exp is
    DKD's TCKD term and L_imp is beta NCKD."""
    s, t = randn(8, 10, seed=1), randn(8, 10, seed=2)
    y = torch.arange(8)
    layer = TaskSerialization(10).double()
    u = layer(s)
    assert torch.equal(u, s)
    monkeypatch.setattr(
        'mmlogitkd.models.losses.aekt_loss.aekt_ratio',
        lambda student, teacher, *args: torch.ones_like(student))
    explicit = AEKTLoss(temperature=4.0, alpha=1.0, beta=0.0, warmup_epochs=0)(u, t, y)
    implicit = AEKTLoss(temperature=4.0, alpha=0.0, beta=6.0, warmup_epochs=0)(u, t, y)
    torch.testing.assert_close(explicit, DKDLoss(temperature=4.0, alpha=1.0, beta=0.0, warmup_epochs=0)(s, t, y))
    torch.testing.assert_close(implicit, DKDLoss(temperature=4.0, alpha=0.0, beta=6.0, warmup_epochs=0)(s, t, y))


def test_aekt_ratio_is_clipped_detached_teacher_over_student():
    u = randn(8, 10, seed=1).requires_grad_()
    t = randn(8, 10, seed=2)
    y = torch.arange(8)
    parts = LF.decoupled_kl_per_sample(u, t, y, 4.0)
    ratio = LF.aekt_ratio(parts.student_log_target, parts.teacher_log_target,
                          2.0)
    # docs/methods/aekt.md#design-as-implemented test 3
    assert not ratio.requires_grad
    b_u = F.softmax(u.detach() / 4.0, 1)[torch.arange(8), y]
    b_t = F.softmax(t / 4.0, 1)[torch.arange(8), y]
    torch.testing.assert_close(ratio, (b_t / b_u).clamp(0, 2.0))
    assert (ratio == 2.0).any() and (ratio < 2.0).any()


def test_aekt_explicit_gradient_matches_closed_form():
    """docs/methods/aekt.md#design-as-implemented test 2: dL_exp/du_y = T r
    (b(u) - b(t)) / B and
    dL_exp/du_k = T r (b(t) - b(u)) p_hat^T(u)_k / B for k != y."""
    batch, num_classes, temperature = 8, 10, 4.0
    u = randn(batch, num_classes, seed=3).requires_grad_()
    t = randn(batch, num_classes, seed=4)
    y = random_labels(batch, num_classes, seed=3)
    AEKTLoss(temperature=temperature, alpha=1.0, beta=0.0, warmup_epochs=0, max_ratio=3.0)(u, t, y).backward()

    pu = F.softmax(u.detach() / temperature, 1)
    pt = F.softmax(t / temperature, 1)
    rows = torch.arange(batch)
    b_u, b_t = pu[rows, y], pt[rows, y]
    r = (b_t / b_u).clamp(0, 3.0)
    gt = F.one_hot(y, num_classes).bool()
    p_hat = pu.masked_fill(gt, 0) / pu.masked_fill(gt, 0).sum(1, keepdim=True)
    coef = (temperature * r * (b_t - b_u) / batch)[:, None]
    expected = torch.where(gt, -coef.expand(-1, num_classes), coef * p_hat)
    torch.testing.assert_close(u.grad, expected)


def test_aekt_ce_does_not_touch_serialization_layer():
    """docs/methods/aekt.md#design-as-implemented test 4."""
    torch.manual_seed(0)
    features = torch.randn(8, 6)
    classifier = torch.nn.Linear(6, 10)
    layer = TaskSerialization(10)
    t, y = torch.randn(8, 10), torch.arange(8)
    s = classifier(features)
    F.cross_entropy(s, y).backward(retain_graph=True)
    assert layer.fc.weight.grad is None and layer.fc.bias.grad is None
    assert classifier.weight.grad is not None
    AEKTLoss(temperature=4.0, alpha=1.0, beta=8.0, warmup_epochs=0)(layer(s), t, y).backward()
    assert layer.fc.weight.grad.abs().sum() > 0


def test_task_serialization_identity_survives_model_init_cfg():
    from mmengine.model import BaseModule

    class Wrapper(BaseModule):

        def __init__(self):
            super().__init__(init_cfg=dict(type='Kaiming', layer='Linear'))
            self.task_serialization = TaskSerialization(5)

    model = Wrapper()
    model.init_weights()
    assert torch.equal(model.task_serialization.fc.weight, torch.eye(5))
    assert torch.equal(model.task_serialization.fc.bias, torch.zeros(5))
    assert TaskSerialization.paramwise_cfg == dict(decay_mult=0.0)
    with pytest.raises(ValueError, match=r'\[B, 5\]'):
        model.task_serialization(torch.zeros(2, 4))
    with pytest.raises(ValueError, match='num_classes'):
        TaskSerialization(1)
