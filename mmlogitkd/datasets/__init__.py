from . import transforms  # noqa: F401
from .embedded_cifar100 import (EmbeddedCIFAR100Settings, coarse_class_names,
                                fine_class_names, write_embedded_cifar100)
from .local_cifar100 import LocalCIFAR100

__all__ = [
    'LocalCIFAR100', 'EmbeddedCIFAR100Settings', 'write_embedded_cifar100',
    'fine_class_names', 'coarse_class_names'
]
