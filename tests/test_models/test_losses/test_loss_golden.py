"""Golden values: every loss against a slow loop-based oracle written from
the formulas of docs/methods/ (``loss_oracles.py``), seeded, at (B, C) =
(8, 10) and (64, 100), rtol 1e-5 (float64, so the comparison measures the
formula, not rounding), plus a float32 run of the fast paths at a tolerance
that fits float32."""
import pytest
import torch

import loss_oracles as oracle
from mmlogitkd.models.losses import (AEKTLoss, CKDLoss, CRLDLoss, DKDLoss,
                                     KDLoss, MLKDLoss)

SIZES = [(8, 10), (64, 100)]
TEMPS = (4.0, 3.0, 5.0, 2.0, 6.0)


def make_batch(batch, num_classes, seed, dtype=torch.float64, scale=3.0):
    generator = torch.Generator().manual_seed(seed)

    def draw():
        return torch.randn(
            batch, num_classes, generator=generator, dtype=dtype) * scale

    labels = torch.randint(0, num_classes, (batch, ), generator=generator)
    return draw(), draw(), draw(), draw(), labels


def assert_matches_oracle(value, expected):
    """Float64 loss value equals the oracle's to rtol 1e-5 (no atol: a
    near-zero value must match relatively too)."""
    torch.testing.assert_close(value.item(), expected, rtol=1e-5, atol=0)


@pytest.mark.parametrize('size', SIZES)
@pytest.mark.parametrize('standardize', [False, True])
def test_kd_golden(size, standardize):
    s, t, _, _, _ = make_batch(*size, seed=1)
    value = KDLoss(temperature=4.0, loss_weight=0.9,
                   standardize=standardize)(s, t)
    expected = 0.9 * oracle.kd(s, t, 4.0, standardize)
    assert_matches_oracle(value, expected)


@pytest.mark.parametrize('size', SIZES)
@pytest.mark.parametrize('standardize', [False, True])
def test_dkd_golden(size, standardize):
    s, t, _, _, y = make_batch(*size, seed=2)
    value = DKDLoss(temperature=4.0,
                    alpha=1.0,
                    beta=8.0,
                    warmup_epochs=0,
                    loss_weight=1.5,
                    standardize=standardize)(s, t, y)
    expected = 1.5 * oracle.dkd(s, t, y, 4.0, 1.0, 8.0, standardize)
    assert_matches_oracle(value, expected)


@pytest.mark.parametrize('size', SIZES)
@pytest.mark.parametrize('standardize', [False, True])
def test_crld_golden(size, standardize):
    s_w, s_s, t_w, t_s, _ = make_batch(*size, seed=3)
    # tau_w = 0.5 and tau_s = 0.2 select a non-trivial subset at scale 3.
    loss = CRLDLoss(temperature=4.0,
                    weak_threshold=0.5,
                    strong_threshold=0.2,
                    within_view_weight=2.0,
                    cross_view_weight=0.5,
                    standardize=standardize)
    value = loss([s_w, s_s], [t_w, t_s])
    expected = oracle.crld([s_w, s_s], [t_w, t_s], 4.0, 0.5, 0.2, 2.0, 0.5,
                           standardize)
    assert_matches_oracle(value, expected)


@pytest.mark.parametrize('size', SIZES)
@pytest.mark.parametrize('standardize,faithful', [(False, True), (True, True),
                                                  (False, False)])
def test_mlkd_golden(size, standardize, faithful):
    s_w, s_s, t_w, t_s, _ = make_batch(*size, seed=4)
    loss = MLKDLoss(temperatures=TEMPS,
                    loss_weight=0.9,
                    standardize=standardize,
                    faithful=faithful)
    value = loss([s_w, s_s], [t_w, t_s])
    expected = oracle.mlkd([s_w, s_s], [t_w, t_s], list(TEMPS), 0.9,
                           standardize, faithful)
    assert_matches_oracle(value, expected)


@pytest.mark.parametrize('size', SIZES)
@pytest.mark.parametrize('temperature', [1.0, 2.0])
def test_ckd_golden(size, temperature):
    s, t, _, _, _ = make_batch(*size, seed=5)
    value = CKDLoss(temperature=temperature, loss_weight=10.0)(s, t)
    expected = 10.0 * oracle.ckd(s, t, temperature)
    assert_matches_oracle(value, expected)


@pytest.mark.parametrize('size', SIZES)
@pytest.mark.parametrize('max_ratio', [4.0, 1.5])
def test_aekt_golden(size, max_ratio):
    u, t, _, _, y = make_batch(*size, seed=6)
    value = AEKTLoss(temperature=4.0,
                     alpha=1.0,
                     beta=8.0,
                     warmup_epochs=0,
                     max_ratio=max_ratio,
                     loss_weight=1.0)(u, t, y)
    expected = oracle.aekt(u, t, y, 4.0, 1.0, 8.0, max_ratio)
    assert_matches_oracle(value, expected)


@pytest.mark.parametrize('standardize', [False, True])
def test_float32_fast_paths_match_float64(standardize):
    """The float32 evaluation (including MLKD's B x B Gram identity) stays
    within float32 accuracy of the float64 value at CIFAR size."""
    s_w, s_s, t_w, t_s, y = make_batch(64, 100, seed=7)
    losses = [
        (KDLoss(temperature=4.0, loss_weight=0.9, standardize=standardize), (s_w, t_w)),
        (DKDLoss(temperature=4.0, alpha=1.0, beta=8.0, warmup_epochs=0, standardize=standardize), (s_w, t_w, y)),
        (MLKDLoss(temperatures=TEMPS, loss_weight=0.9, standardize=standardize), ([s_w, s_s], [t_w, t_s])),
        (CRLDLoss(temperature=4.0, weak_threshold=0.5, strong_threshold=0.2, within_view_weight=2.0, cross_view_weight=0.5, standardize=standardize), ([s_w,
                                                           s_s], [t_w, t_s])),
        (CKDLoss(temperature=1.0, loss_weight=10.0), (s_w, t_w)),
        (AEKTLoss(temperature=4.0, alpha=1.0, beta=8.0, warmup_epochs=0), (s_w, t_w, y)),
    ]

    def to32(arg):
        if isinstance(arg, list):
            return [item.float() for item in arg]
        return arg.float() if arg.is_floating_point() else arg

    for loss, args in losses:
        reference = loss(*args)
        value = loss(*[to32(arg) for arg in args])
        assert value.dtype == torch.float32
        torch.testing.assert_close(value.double(),
                                   reference,
                                   rtol=2e-5,
                                   atol=1e-6,
                                   msg=type(loss).__name__)
