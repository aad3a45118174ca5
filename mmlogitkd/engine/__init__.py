from mmlogitkd import checkpoint  # noqa: F401  (registers atomic_local)
from . import hooks  # noqa: F401
from .optim_wrappers import AutocastOptimWrapper

__all__ = ['AutocastOptimWrapper']
