"""What each distillation method is, declared once.

A method of mmlogitkd is a registered loss (``mmlogitkd/models/losses``), a
method base config per dataset (``configs/_base_/methods/<key>_<dataset>.py``,
written by hand), optionally an extra student module (AEKT's
task-serialization layer) and a per-pair value table for the config zoo
(``tools/misc/zoo/<table>.py``). Everything that needs a list of methods (the
config generator, ``make bench`` and ``make demo``, the loss and step
benchmarks, the tests) reads :data:`METHODS`; the number of views comes from
the loss class itself (:attr:`BaseDistillLoss.num_views`).

Adding a method: see ``docs/design.md`` ("Adding a method").

Example:
    >>> from mmlogitkd.methods import METHODS, get_method
    >>> get_method('crld').num_views
    2
    >>> [m.name for m in METHODS if m.in_bench][:3]
    ['KD', 'DKD', 'KD+LS']
"""
from dataclasses import dataclass
from typing import Optional, Tuple

#: Dataset keys used in method-base and leaf file names.
DATASETS = ('cifar100', 'in1k')


@dataclass(frozen=True)
class Method:
    """One distillation method.

    Args:
        key (str): File-name prefix of its bases and leaves, e.g.
            ``'kd-ls'`` (``configs/_base_/methods/kd-ls_cifar100.py``).
        name (str): Shown in tables and reports, e.g. ``'KD+LS'``.
        loss (str): Registered type of its loss, e.g. ``'KDLoss'``.
        loss_name (str): Its key in ``model.distill_losses`` (logged as is).
        folder (str): ``configs/<folder>/`` holding its zoo leaves.
        doc (str): Its page under ``docs/methods/``.
        paper (str): Short citation of the paper.
        code (str, optional): The official code, ``owner/repo@commit``;
            None where none exists (AEKT).
        host (str, optional): For a plug-in (logit standardization), the
            key of the method it modifies.
        distill_head (str, optional): Registered type of an extra student
            module applied to the logits before the distillation loss.
        pair_table (str, optional): Module of ``tools/misc/zoo`` holding its
            per-pair values, or None when every pair uses the dataset
            defaults of its method base.
        in_bench (bool): Whether ``make bench`` trains it.
        interpretation (bool): Our own design, not a reproduction (label its
            runs "mmlogitkd interpretation").
    """
    key: str
    name: str
    loss: str
    loss_name: str
    folder: str
    doc: str
    paper: str
    code: Optional[str]
    host: Optional[str] = None
    distill_head: Optional[str] = None
    pair_table: Optional[str] = None
    in_bench: bool = True
    interpretation: bool = False

    @property
    def loss_class(self):
        """The registered loss class (imports the model registry)."""
        from mmlogitkd.registry import MODELS
        import mmlogitkd.models.losses  # noqa: F401  (registers them)
        cls = MODELS.get(self.loss)
        if cls is None:
            raise KeyError(f'method {self.key}: loss type "{self.loss}" is '
                           'not registered in mmlogitkd')
        return cls

    @property
    def num_views(self) -> int:
        """Views per image its loss needs (1, or 2 for [weak, strong])."""
        return self.loss_class.num_views

    def base(self, dataset: str, package: bool = True) -> str:
        """Its method base config for ``dataset`` (``'cifar100'`` or
        ``'in1k'``), as a ``mmlogitkd::`` path or relative to ``configs/``."""
        if dataset not in DATASETS:
            raise ValueError(f'unknown dataset "{dataset}", choose from '
                             f'{DATASETS}')
        relative = f'_base_/methods/{self.key}_{dataset}.py'
        return f'mmlogitkd::{relative}' if package else relative

    def load_base(self, dataset: str):
        """The method base config for ``dataset``, loaded (``Config``)."""
        from mmlogitkd.models.builder import load_config_file
        return load_config_file(self.base(dataset))

    def loss_config(self, dataset: str) -> dict:
        """Its loss config in the method base for ``dataset``."""
        losses = self.load_base(dataset).model.distill_losses
        return losses[self.loss_name].to_dict()


_MDISTILLER = 'megvii-research/mdistiller@a08d46f'
_LS = 'sunshangquan/logit-standardization-KD@f6e5aa5'
_LS_PAPER = 'Sun et al., Logit Standardization in KD, CVPR 2024'

#: Every method, in report order.
METHODS: Tuple[Method, ...] = (
    Method('kd', 'KD', 'KDLoss', 'loss_kd', 'kd', 'kd.md',
           'Hinton, Vinyals, Dean, arXiv 1503.02531', _MDISTILLER),
    Method('dkd', 'DKD', 'DKDLoss', 'loss_dkd', 'dkd', 'dkd.md',
           'Zhao et al., Decoupled KD, CVPR 2022', _MDISTILLER,
           pair_table='dkd'),
    Method('kd-ls', 'KD+LS', 'KDLoss', 'loss_kd', 'ls', 'ls.md', _LS_PAPER,
           _LS, host='kd', pair_table='kd_ls'),
    Method('dkd-ls', 'DKD+LS', 'DKDLoss', 'loss_dkd', 'ls', 'ls.md',
           _LS_PAPER, _LS, host='dkd', pair_table='dkd_ls'),
    Method('mlkd', 'MLKD', 'MLKDLoss', 'loss_mlkd', 'mlkd', 'mlkd.md',
           'Jin, Wang, Lin, Multi-Level Logit Distillation, CVPR 2023',
           'Jin-Ying/Multi-Level-Logit-Distillation@5ee473f',
           pair_table='mlkd'),
    Method('mlkd-ls', 'MLKD+LS', 'MLKDLoss', 'loss_mlkd', 'ls', 'ls.md',
           _LS_PAPER, _LS, host='mlkd', pair_table='mlkd_ls',
           in_bench=False),
    Method('crld', 'CRLD', 'CRLDLoss', 'loss_crld', 'crld', 'crld.md',
           'Zhang et al., Cross-View Consistency Regularisation for KD, '
           'ACM MM 2024', 'arcaninez/CRLD@fe42473', pair_table='crld'),
    Method('crld-ls', 'CRLD+LS', 'CRLDLoss', 'loss_crld', 'ls', 'ls.md',
           _LS_PAPER + ' (composition with CRLD: ours)', None, host='crld',
           pair_table='crld'),
    Method('ckd', 'CKD', 'CKDLoss', 'loss_ckd', 'ckd', 'ckd.md',
           'Zhu et al., CKD: Contrastive KD from a Sample-wise Perspective, '
           'arXiv 2404.14109', 'ZhouXinzzzzz/CKD@f16a145', pair_table='ckd'),
    Method('aekt', 'AEKT', 'AEKTLoss', 'loss_aekt', 'aekt', 'aekt.md',
           'Park, Lee, Adaptive Explicit Knowledge Transfer for KD, arXiv '
           '2409.01679', None, pair_table='dkd', interpretation=True),
)

_BY_KEY = {method.key: method for method in METHODS}
_BY_NAME = {method.name: method for method in METHODS}


def get_method(key_or_name: str) -> Method:
    """The method with this key (``'kd-ls'``) or name (``'KD+LS'``).

    Raises:
        KeyError: naming the known keys.
    """
    method = _BY_KEY.get(key_or_name) or _BY_NAME.get(key_or_name)
    if method is None:
        raise KeyError(f'unknown method "{key_or_name}"; known: '
                       f'{", ".join(_BY_KEY)}')
    return method


def method_of_loss_config(distill_losses: dict) -> Optional[Method]:
    """The declared method a ``model.distill_losses`` dict runs, or None.

    LS variants are told from their host by ``standardize=True``.
    """
    if not distill_losses or len(distill_losses) != 1:
        return None
    (loss_name, cfg), = distill_losses.items()
    standardized = bool(cfg.get('standardize', False))
    for method in METHODS:
        if method.loss == cfg.get('type') and method.loss_name == loss_name \
                and (method.host is not None) == standardized:
            return method
    return None
