"""Logit-distillation losses: one file per method (its pure function beside
its registered module, e.g. ``kd_loss.kd_loss`` and ``kd_loss.KDLoss``) and
the primitives they share (:mod:`.functional`)."""
from . import functional
from .aekt_loss import AEKTLoss, aekt_ratio
from .base import BaseDistillLoss
from .ckd_loss import CKDLoss
from .crld_loss import CRLDLoss, crld_masks
from .dkd_loss import DKDLoss
from .functional import (decoupled_kl_per_sample, kl_per_sample,
                         logit_standardize)
from .kd_loss import KDLoss
from .mlkd_loss import MLKDLoss, MLKDMasks, correlation_distances, mlkd_masks
from .warmup import current_epoch, linear_warmup_factor

__all__ = [
    'functional', 'BaseDistillLoss', 'KDLoss', 'DKDLoss', 'MLKDLoss',
    'CRLDLoss', 'CKDLoss', 'AEKTLoss', 'mlkd_masks', 'MLKDMasks',
    'correlation_distances', 'crld_masks', 'aekt_ratio', 'kl_per_sample',
    'decoupled_kl_per_sample', 'logit_standardize', 'current_epoch',
    'linear_warmup_factor'
]
