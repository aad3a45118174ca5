from .rand_augment_fixmatch import (FIXMATCH_OPS, FixMatchOp,
                                    RandAugmentFixMatch, cutout)

__all__ = ['FIXMATCH_OPS', 'FixMatchOp', 'RandAugmentFixMatch', 'cutout']
