"""No NaN/Inf for logits up to 1e4, constant logits (zero std under LS),
underflowing target probabilities, and float16/bfloat16 under autocast."""
import pytest
import torch
import torch.nn.functional as F

from loss_cases import CASES, build, names

from mmlogitkd.models import losses as LF

B, C = 8, 10
LABELS = torch.arange(B) % C



def _stress_case(name: str):
    """The shared case at T = 1 (the base temperature of LS cases is kept)
    and, for CRLD, with every sample kept: where underflow bites."""
    overrides = {}
    case = CASES[name]
    if not case.get('standardize'):
        if 'temperature' in case:
            overrides['temperature'] = 1.0
        if 'temperatures' in case:
            overrides['temperatures'] = (1.0, ) + tuple(
                case['temperatures'][1:])
    if case['type'] == 'CRLDLoss':
        overrides.update(weak_threshold=0.0, strong_threshold=0.0)
    return lambda: build(name, **overrides)


LOSSES = {name: _stress_case(name) for name in names(exclude=(
    'ckd_gather', 'aekt_clipped', 'aekt_implicit'))}


def run(loss, student, teacher):
    """Forward + backward; returns (value, student gradients)."""
    if loss.num_views == 2:
        students = [
            student.clone().requires_grad_(),
            student.flip(0).clone().requires_grad_()
        ]
        value = loss(students, [teacher, teacher.flip(0)], LABELS)
    else:
        students = [student.clone().requires_grad_()]
        value = loss(students[0], teacher, LABELS)
    value.backward()
    return value, [s.grad for s in students]


def assert_finite(value, grads):
    assert torch.isfinite(value).all(), value
    for grad in grads:
        assert grad is not None and torch.isfinite(grad).all()


@pytest.mark.parametrize('name', sorted(LOSSES))
def test_huge_logits(name):
    generator = torch.Generator().manual_seed(0)
    student = torch.randn(B, C, generator=generator) * 1e4
    teacher = torch.randn(B, C, generator=generator) * 1e4
    assert_finite(*run(LOSSES[name](), student, teacher))


@pytest.mark.parametrize('name', sorted(LOSSES))
def test_constant_logits(name):
    student = torch.full((B, C), 3.0)
    teacher = torch.full((B, C), -7.0)
    assert_finite(*run(LOSSES[name](), student, teacher))
    mixed = torch.randn(B, C, generator=torch.Generator().manual_seed(1))
    assert_finite(*run(LOSSES[name](), student, mixed))
    assert_finite(*run(LOSSES[name](), mixed, teacher))


@pytest.mark.parametrize('name', sorted(LOSSES))
def test_target_probability_underflows(name):
    """The student puts ~0 mass on the class the teacher is sure of."""
    student = torch.zeros(B, C)
    teacher = torch.zeros(B, C)
    rows = torch.arange(B)
    student[rows, LABELS] = -1e4
    teacher[rows, LABELS] = 1e4
    assert F.softmax(student, 1)[rows, LABELS].max() == 0  # underflow
    value, grads = run(LOSSES[name](), student, teacher)
    assert_finite(value, grads)


def test_dkd_underflow_value_is_the_exact_limit():
    """Where the official log-of-mass form gives inf, the log-space form
    gives the exact finite value: TCKD ~ -log b(s) = (gap) / T."""
    student = torch.tensor([[-1000.0, 0.0, 0.0]], dtype=torch.float64)
    teacher = torch.tensor([[0.0, 0.0, 0.0]], dtype=torch.float64)
    y = torch.tensor([0])
    parts = LF.decoupled_kl_per_sample(student, teacher, y, 1.0)
    # b(t) = [1/3, 2/3]; log b(s) = [-1000 - log 2, ~0]
    expected = (1 / 3) * (
        torch.log(torch.tensor(1 / 3, dtype=torch.float64)) + 1000 +
        torch.log(torch.tensor(2.0, dtype=torch.float64))) + (
            2 / 3) * torch.log(torch.tensor(2 / 3, dtype=torch.float64))
    torch.testing.assert_close(parts.tckd[0], expected)
    assert parts.nckd[0].abs() < 1e-12


@pytest.mark.parametrize('dtype', [torch.float16, torch.bfloat16])
@pytest.mark.parametrize('name', sorted(LOSSES))
def test_low_precision_under_autocast(name, dtype):
    generator = torch.Generator().manual_seed(2)
    student = (torch.randn(B, C, generator=generator) * 3).to(dtype)
    teacher = (torch.randn(B, C, generator=generator) * 3).to(dtype)
    loss = LOSSES[name]()
    with torch.autocast('cpu', dtype=dtype):
        value, grads = run(loss, student, teacher)
    assert value.dtype == torch.float32
    assert_finite(value, grads)
    assert all(grad.dtype == dtype for grad in grads)
    # Same value as float32 on the same (rounded) inputs: every reduction
    # ran in float32.
    reference, _ = run(loss, student.float(), teacher.float())
    torch.testing.assert_close(value, reference)
