from .batch_augment import (BATCH_OPS, BatchRandAugmentFixMatch,
                            BatchRandomCrop, BatchRandomFlip)
from .keyed_random import KeyedRandom
from .multi_view_cls import MultiViewClsDataPreprocessor

__all__ = [
    'MultiViewClsDataPreprocessor', 'KeyedRandom', 'BatchRandomCrop',
    'BatchRandomFlip', 'BatchRandAugmentFixMatch', 'BATCH_OPS'
]
