"""Logit-distillation losses: one pure-function core (:mod:`.functional`)
and one registered module per method."""
from . import functional
from .aekt_loss import AEKTLoss
from .base import BaseDistillLoss
from .ckd_loss import CKDLoss
from .crld_loss import CRLDLoss
from .dkd_loss import DKDLoss
from .kd_loss import KDLoss
from .mlkd_loss import MLKDLoss
from .warmup import current_epoch, linear_warmup_factor

__all__ = [
    'functional', 'BaseDistillLoss', 'KDLoss', 'DKDLoss', 'MLKDLoss',
    'CRLDLoss', 'CKDLoss', 'AEKTLoss', 'current_epoch', 'linear_warmup_factor'
]
