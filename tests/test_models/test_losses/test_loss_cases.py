"""The shared case table covers every loss: a loss registered in mmlogitkd,
or the loss of a declared method, without a case here would escape the
golden, gradient, robustness and interface tests."""
import inspect

from loss_cases import CASES, plain_cases

from mmlogitkd.methods import METHODS
from mmlogitkd.models.losses import BaseDistillLoss
from mmlogitkd.registry import MODELS


def registered_losses():
    import mmlogitkd.models  # noqa: F401  (registers them)
    return {name for name, cls in MODELS.module_dict.items()
            if inspect.isclass(cls) and issubclass(cls, BaseDistillLoss)}


def test_every_registered_loss_has_a_case():
    covered = {case['type'] for case in CASES.values()}
    assert registered_losses() - covered == set()


def test_every_declared_method_has_its_cases():
    covered = {case['type'] for case in CASES.values()}
    assert {method.loss for method in METHODS} <= covered
    for method in METHODS:
        # LS variants of a loss need a standardized case
        if method.host is not None:
            assert any(case['type'] == method.loss and case.get('standardize')
                       for case in CASES.values()), method.name


def test_one_plain_case_per_loss_type():
    types = [case['type'] for case in plain_cases().values()]
    assert sorted(types) == sorted(registered_losses())
