"""``torch.autograd.gradcheck`` in float64 for every loss (w.r.t. the
student logits; teacher logits are data)."""
import pytest
import torch

from mmlogitkd.models.heads import TaskSerialization
from loss_cases import build, names

from mmlogitkd.models.losses import AEKTLoss

B, C = 4, 6


def _logits(seed, scale=2.0):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(B, C, generator=generator, dtype=torch.float64) * scale


LABELS = torch.tensor([0, 3, 5, 3])

#: The shared cases (loss_cases.py) but 'aekt', whose detached ratio makes
#: the analytic gradient differ from the numerical one where r varies.
SINGLE_VIEW = {name: build(name) for name in names(1, exclude=('aekt', ))}
TWO_VIEW = {name: build(name) for name in names(2)}


@pytest.mark.parametrize('name', sorted(SINGLE_VIEW))
def test_gradcheck_single_view(name):
    loss = SINGLE_VIEW[name]
    student = _logits(1).requires_grad_()
    teacher = _logits(2)
    assert torch.autograd.gradcheck(lambda s: loss(s, teacher, LABELS),
                                    (student, ))


@pytest.mark.parametrize('name', sorted(TWO_VIEW))
def test_gradcheck_two_views(name):
    loss = TWO_VIEW[name]
    weak, strong = _logits(1).requires_grad_(), _logits(3).requires_grad_()
    teachers = [_logits(2), _logits(4)]
    assert torch.autograd.gradcheck(lambda w, s: loss([w, s], teachers),
                                    (weak, strong))


def test_gradcheck_through_task_serialization():
    layer = TaskSerialization(C).double()
    loss = AEKTLoss(temperature=4.0, alpha=0.0, beta=8.0, warmup_epochs=0)
    weight = layer.fc.weight.detach().clone().requires_grad_()
    student, teacher = _logits(1), _logits(2)

    def run(w):
        return loss(student @ w.T + layer.fc.bias, teacher, LABELS)

    assert torch.autograd.gradcheck(run, (weight, ))


@pytest.mark.parametrize('center', [True, False])
def test_gradcheck_fused_standardization(center):
    """The hand-written backward of the fused Z-score (+ 1/T) is exact."""
    from mmlogitkd.models.losses.functional import scaled_logits
    logits = _logits(5).requires_grad_()
    assert torch.autograd.gradcheck(
        lambda z: scaled_logits(z, 2.0, True, center=center), (logits, ))
    from mmlogitkd.models.losses.functional import logit_standardize
    assert torch.autograd.gradcheck(logit_standardize, (logits, ))


def test_standardization_gradient_is_finite_for_constant_rows():
    from mmlogitkd.models.losses.functional import logit_standardize
    logits = torch.full((2, 5), 3.0, dtype=torch.float64, requires_grad=True)
    weights = torch.arange(10, dtype=torch.float64).view(2, 5)
    (logit_standardize(logits) * weights).sum().backward()
    assert torch.isfinite(logits.grad).all()
    # sigma has no derivative at 0: only the direct term k (g - mean g)
    # with k = 1 / eps remains.
    expected = (weights - weights.mean(1, keepdim=True)) / 1e-7
    torch.testing.assert_close(logits.grad, expected)
