from . import checkpoint_safety, hooks  # noqa: F401  (registers atomic_local)
from .optim_wrappers import AutocastOptimWrapper

__all__ = ['AutocastOptimWrapper']
