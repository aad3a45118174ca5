from . import transforms  # noqa: F401
from .local_cifar100 import LocalCIFAR100

__all__ = ['LocalCIFAR100']
