"""The shared per-loss case table of the loss tests.

Every registered mmlogitkd loss appears here with the configurations the
tests exercise (the completeness test, ``test_loss_cases.py``, fails when a
registered loss or a declared method's loss is missing). Tests take what
they need: ``build(name)``, or the configs of one view count.
"""
from typing import Dict, List

from mmengine.registry import init_default_scope

#: name -> loss config. Keep one plain case per loss type under its method
#: key (``'kd'``, ``'dkd'``, ...) and its LS case as ``'<key>_ls'``.
CASES: Dict[str, dict] = {
    'kd': dict(type='KDLoss', temperature=4.0, loss_weight=0.9),
    'kd_ls': dict(type='KDLoss', temperature=2.0, loss_weight=9.0,
                  standardize=True),
    'dkd': dict(type='DKDLoss', temperature=4.0, alpha=1.0, beta=8.0,
                warmup_epochs=0),
    'dkd_ls': dict(type='DKDLoss', temperature=2.0, alpha=1.0, beta=2.0,
                   warmup_epochs=0, loss_weight=9.0, standardize=True),
    'mlkd': dict(type='MLKDLoss', temperatures=(4.0, 3.0, 5.0, 2.0, 6.0),
                 loss_weight=0.9),
    'mlkd_ls': dict(type='MLKDLoss', temperatures=(2.0, 3.0, 5.0, 2.0, 6.0),
                    loss_weight=9.0, standardize=True),
    'mlkd_corrected': dict(type='MLKDLoss', temperatures=(4.0, 3.0),
                           loss_weight=0.9, faithful=False),
    'crld': dict(type='CRLDLoss', temperature=4.0, weak_threshold=0.3,
                 strong_threshold=0.2, within_view_weight=2.0,
                 cross_view_weight=0.5),
    'crld_ls': dict(type='CRLDLoss', temperature=2.0, weak_threshold=0.0,
                    strong_threshold=0.0, within_view_weight=2.0,
                    cross_view_weight=0.5, standardize=True),
    'ckd': dict(type='CKDLoss', temperature=1.0, loss_weight=10.0),
    'ckd_gather': dict(type='CKDLoss', temperature=2.0, loss_weight=1.0,
                       gather=True),
    'aekt': dict(type='AEKTLoss', temperature=4.0, alpha=1.0, beta=8.0,
                 warmup_epochs=0),
    # r is detached by design, so the analytic gradient is the true
    # derivative only where r is locally constant: clipped everywhere
    # (max_ratio below every b(t)/b(u)) or not used (alpha = 0).
    'aekt_clipped': dict(type='AEKTLoss', temperature=4.0, alpha=1.0,
                         beta=8.0, warmup_epochs=0, max_ratio=1e-3),
    'aekt_implicit': dict(type='AEKTLoss', temperature=4.0, alpha=0.0,
                          beta=8.0, warmup_epochs=0),
}


def build(name: str, **overrides):
    """The loss module of case ``name`` (keyword overrides applied)."""
    from mmlogitkd.registry import MODELS
    init_default_scope('mmlogitkd')
    cfg = dict(CASES[name], **overrides)
    return MODELS.build(cfg)


def loss_class(name: str):
    from mmlogitkd.registry import MODELS
    return MODELS.get(CASES[name]['type'])


def names(views: int = None, exclude=()) -> List[str]:
    """Case names, optionally only those of losses with ``views`` views."""
    return sorted(n for n in CASES if n not in exclude and (
        views is None or loss_class(n).num_views == views))


def plain_cases() -> Dict[str, dict]:
    """One case per loss type: the method-key cases (``kd``, ``dkd``...)."""
    return {n: c for n, c in CASES.items()
            if '_' not in n and n in ('kd', 'dkd', 'mlkd', 'crld', 'ckd',
                                      'aekt')}
