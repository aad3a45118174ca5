"""The contract every mmlogitkd distillation loss follows.

All losses share one forward signature, ``forward(student_logits,
teacher_logits, labels=None)``. Single-view losses take one ``[B, C]`` tensor
per model; two-view losses take a sequence ``[weak, strong]`` per model.
Constructors take keyword-only hyperparameters with no dataset values as
defaults, and every loss has an outer ``loss_weight`` (default 1.0). This
module holds the input checks (so that bad input fails early with a message
naming the problem), the hyperparameter checks used by every loss, and the
diagnostics a loss records for the training log.
"""
import inspect
import numbers
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor, nn

Logits = Union[Tensor, Sequence[Tensor]]


def check_positive(name: str, value: float) -> float:
    """Return ``value`` as float if it is a finite number > 0."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) \
            or not value > 0 or value == float('inf'):
        raise ValueError(f'{name} must be a finite number > 0, got {value!r}')
    return float(value)


def check_non_negative(name: str, value: float) -> float:
    """Return ``value`` as float if it is a finite number >= 0."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) \
            or not value >= 0 or value == float('inf'):
        raise ValueError(f'{name} must be a finite number >= 0, got {value!r}')
    return float(value)


def check_unit_interval(name: str, value: float) -> float:
    """Return ``value`` as float if it lies in [0, 1]."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) \
            or not 0 <= value <= 1:
        raise ValueError(f'{name} must lie in [0, 1], got {value!r}')
    return float(value)


def check_non_negative_int(name: str, value: int) -> int:
    """Return ``value`` if it is an integer >= 0."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) \
            or value < 0:
        raise ValueError(f'{name} must be an integer >= 0, got {value!r}')
    return int(value)


class BaseDistillLoss(nn.Module):
    """Base class of the mmlogitkd logit-distillation losses.

    Subclasses set two class attributes:

    Attributes:
        num_views (int): 1 for losses on one view per model, 2 for losses on
            ``[weak, strong]`` views (MLKD, CRLD). The distillation algorithm
            reads it to split the batch; ``tools/train.py`` checks it against
            the data pipeline.
        requires_labels (bool): whether ``forward`` needs hard labels (the
            input check enforces it).

    and may set one more, read by the checks at the start of a run:

    Attributes:
        min_batch_size (int): the smallest per-step batch the loss means
            anything for (CKD: 2, its negatives are the other samples);
            ``tools/train.py`` refuses a smaller
            ``train_dataloader.batch_size``.

    The teacher is data, not a trainee: teacher logits are detached by every
    loss.

    Subclasses implement :meth:`compute_loss`; :meth:`forward` validates the
    inputs first, so no loss can skip the checks. Every constructor argument
    is stored, validated, under its own name: :meth:`extra_repr` lists them
    in signature order.

    **Diagnostics.** While computing, a loss may :meth:`record` detached
    scalars that explain what it does (CRLD's kept share per threshold, the
    warm-up factor, ...); the costlier ones only when :attr:`diagnosing`. :class:`~mmlogitkd.models.LogitDistiller` logs them
    next to the loss terms as ``<method>/<name>`` after every step (they
    appear in ``scalars.json``); :meth:`diagnostics` returns those of the
    last forward.
    """

    num_views: int = 1
    requires_labels: bool = False
    min_batch_size: int = 1
    #: Diagnostics that cost more than a scalar are computed on every n-th
    #: forward only (:attr:`diagnosing`); MMEngine's logger averages what
    #: was recorded over its interval.
    diagnostics_interval: int = 10

    def __init__(self) -> None:
        super().__init__()
        # mutated in place: nn.Module.__setattr__ is slow on every step
        self._diagnostics: Dict[str, Tensor] = {}
        self._counters: Dict[str, int] = dict(forwards=0)

    @property
    def diagnosing(self) -> bool:
        """Whether this forward computes the costlier diagnostics (the first
        and every :attr:`diagnostics_interval`-th one)."""
        return (self._counters['forwards'] - 1) % \
            self.diagnostics_interval == 0

    def record(self, **values) -> None:
        """Store diagnostics of the current forward (detached, float)."""
        for name, value in values.items():
            if isinstance(value, Tensor):
                value = value.detach().float().mean()
            else:
                value = torch.tensor(float(value))
            self._diagnostics[name] = value

    def record_logit_std(self, student: Logits, teacher: Logits) -> None:
        """Record the student's and the teacher's raw logit standard
        deviation (``std_student``, ``std_teacher``; first view): the scale
        that logit standardization divides out."""
        from .functional import row_std
        first = (lambda z: z if isinstance(z, Tensor) else z[0])
        with torch.no_grad():
            both = torch.stack([first(student).detach(),
                                first(teacher).detach()]).float()
            std = row_std(both.flatten(0, 1)).view(2, -1).mean(dim=1)
        self._diagnostics['std_student'] = std[0]
        self._diagnostics['std_teacher'] = std[1]

    def diagnostics(self) -> Dict[str, Tensor]:
        """The scalars :meth:`record`-ed by the last forward."""
        return dict(self._diagnostics)

    def epoch_warnings(self) -> List[str]:
        """Warnings about the epoch that just ended, for the training log
        (read by :class:`~mmlogitkd.engine.DistillDiagnosticsHook`, which
        calls this after every training epoch). Defaults to none."""
        return []

    def forward(self,
                student_logits: Logits,
                teacher_logits: Logits,
                labels: Optional[Tensor] = None) -> Tensor:
        """Validate the inputs, then compute the weighted loss.

        Args:
            student_logits (Tensor | Sequence[Tensor]): ``[B, C]`` for
                single-view losses, ``[weak, strong]`` (each ``[B, C]``) for
                two-view losses.
            teacher_logits (Tensor | Sequence[Tensor]): same layout as
                ``student_logits`` (detached inside).
            labels (Tensor, optional): ``[B]`` hard labels; required when
                :attr:`requires_labels` is True, unused otherwise.

        Returns:
            Tensor: scalar loss.
        """
        student, teacher, labels = self.check_inputs(student_logits,
                                                     teacher_logits, labels)
        self._diagnostics.clear()
        self._counters['forwards'] += 1
        return self.compute_loss(student, teacher, labels)

    def compute_loss(self, student: Union[Tensor, List[Tensor]],
                     teacher: Union[Tensor, List[Tensor]],
                     labels: Optional[Tensor]) -> Tensor:
        """Compute the weighted loss on inputs :meth:`check_inputs` passed.

        Args:
            student (Tensor | list[Tensor]): ``[B, C]``, or ``[weak, strong]``
                for two-view losses.
            teacher (Tensor | list[Tensor]): same layout as ``student``.
            labels (Tensor, optional): ``[B]`` hard labels, or None.

        Returns:
            Tensor: scalar loss.
        """
        raise NotImplementedError(
            f'{type(self).__name__} must implement compute_loss')

    def extra_repr(self) -> str:
        """List the constructor arguments with their stored values."""
        names = [
            name for name, param in inspect.signature(
                type(self).__init__).parameters.items()
            if name != 'self' and param.kind not in (param.VAR_POSITIONAL,
                                                     param.VAR_KEYWORD)
        ]
        return ', '.join(f'{name}={getattr(self, name)}' for name in names)

    def check_inputs(
        self,
        student_logits: Logits,
        teacher_logits: Logits,
        labels: Optional[Tensor] = None,
    ) -> Tuple[Union[Tensor, List[Tensor]], Union[Tensor, List[Tensor]],
               Optional[Tensor]]:
        """Validate the forward arguments.

        Returns:
            tuple: ``(student, teacher, labels)``; student and teacher are
            tensors for single-view losses and lists ``[weak, strong]`` for
            two-view losses. ``labels`` is returned unchanged (None when the
            loss does not use labels).

        Raises:
            ValueError: wrong number of views, shape mismatch, non-float
                logits, missing or soft labels where hard labels are needed.
        """
        owner = type(self).__name__
        students = self._as_views(student_logits, 'student_logits', owner)
        teachers = self._as_views(teacher_logits, 'teacher_logits', owner)
        for view, (student, teacher) in enumerate(zip(students, teachers)):
            _check_logits(student, 'student_logits', owner, view,
                          self.num_views)
            _check_logits(teacher, 'teacher_logits', owner, view,
                          self.num_views)
            if student.shape != teacher.shape:
                raise ValueError(
                    f'{_where(owner, view, self.num_views)}: student_logits '
                    f'{tuple(student.shape)} and teacher_logits '
                    f'{tuple(teacher.shape)} must have the same shape [B, C]')
        if self.num_views > 1 and students[0].shape != students[1].shape:
            raise ValueError(
                f'{owner}: the weak and strong views must have the same '
                f'shape, got {tuple(students[0].shape)} and '
                f'{tuple(students[1].shape)}')
        if self.requires_labels:
            _check_hard_labels(labels, students[0], owner)
        if self.num_views == 1:
            return students[0], teachers[0], labels
        return students, teachers, labels

    def _as_views(self, logits: Logits, name: str, owner: str) -> List[Tensor]:
        if isinstance(logits, Tensor):
            if self.num_views != 1:
                raise ValueError(
                    f'{owner} is a two-view loss: {name} must be a sequence '
                    '[weak, strong] of [B, C] tensors, got a single tensor '
                    f'of shape {tuple(logits.shape)}')
            return [logits]
        if not isinstance(logits, (list, tuple)):
            raise ValueError(
                f'{owner}: {name} must be a tensor or a list of tensors, got '
                f'{type(logits).__name__}')
        if self.num_views == 1:
            raise ValueError(
                f'{owner} is a single-view loss: {name} must be one [B, C] '
                f'tensor, got a sequence of {len(logits)} views')
        if len(logits) != self.num_views:
            raise ValueError(
                f'{owner}: {name} must hold {self.num_views} views [weak, '
                f'strong], got {len(logits)}')
        return list(logits)


def _where(owner: str, view: int, num_views: int) -> str:
    return f'{owner} view {view}' if num_views > 1 else owner


def _check_logits(logits: Tensor, name: str, owner: str, view: int,
                  num_views: int) -> None:
    if not isinstance(logits, Tensor):
        raise ValueError(f'{_where(owner, view, num_views)}: {name} must be '
                         f'a tensor, got {type(logits).__name__}')
    if logits.dim() != 2:
        raise ValueError(f'{_where(owner, view, num_views)}: {name} must '
                         f'have shape [B, C], got {tuple(logits.shape)}')
    if not logits.is_floating_point():
        raise ValueError(f'{_where(owner, view, num_views)}: {name} must be '
                         f'floating point, got {logits.dtype}')
    if logits.shape[0] < 1 or logits.shape[1] < 2:
        raise ValueError(
            f'{_where(owner, view, num_views)}: {name} needs B >= 1 samples '
            f'and C >= 2 classes, got {tuple(logits.shape)}')


def _check_hard_labels(labels: Optional[Tensor], logits: Tensor,
                       owner: str) -> None:
    if labels is None:
        raise ValueError(
            f'{owner} needs hard labels: call it with labels=<[B] integer '
            'tensor>, got labels=None')
    if not isinstance(labels, Tensor):
        raise ValueError(f'{owner}: labels must be a [B] integer tensor, got '
                         f'{type(labels).__name__}')
    if labels.is_floating_point() or labels.dim() != 1:
        raise ValueError(
            f'{owner} needs hard labels (a [B] integer tensor), got a '
            f'{labels.dtype} tensor of shape {tuple(labels.shape)}. Soft '
            'labels (e.g. from mixup/cutmix) are not supported: the target '
            'class of each sample must be known')
    batch, num_classes = logits.shape
    if labels.shape[0] != batch:
        raise ValueError(f'{owner}: labels has {labels.shape[0]} entries but '
                         f'the logits have {batch} rows')
    if labels.dtype == torch.bool:
        raise ValueError(f'{owner}: labels must be class indices, got bool')
    low, high = (int(value) for value in torch.aminmax(labels))
    if low < 0 or high >= num_classes:
        raise ValueError(f'{owner}: labels must lie in [0, {num_classes}), '
                         f'got values in [{low}, {high}]')
