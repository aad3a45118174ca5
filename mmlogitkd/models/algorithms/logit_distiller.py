"""The logit-distillation algorithm: one class for every method.

The path of one training step (docs/design.md)::

    data_preprocessor(data)                      # one or several views
    teacher_logits = teacher(views)              # eval, no_grad, logits only
    student_logits = student(views)              # one forward per view
    losses = {'loss_ce': CE on every view,
              'loss_<name>': distill_loss(student_logits, teacher_logits,
                                          labels)}

A method is a loss (``distill_losses``) plus, where it needs one, an extra
student module (``distill_head``, e.g. the task-serialization layer of our
AEKT ablation, docs/methods/aekt.md) and a
multi-view pipeline. The conventions follow the mdistiller family of code
bases (docs/methods/README.md#conventions): the teacher is frozen and always
in eval mode, the CE
uses the raw student logits, and the total loss is the sum of the terms.
"""
import functools
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub, print_log
from mmengine.model import BaseModel
from mmengine.registry import DefaultScope
from torch import nn

from mmlogitkd.checkpoint import load_teacher_checkpoint
from mmlogitkd.registry import MODELS, register_to_mmpretrain
from .teacher_cache import TeacherLogitCache
from ..builder import build_classifier, split_pretrained

_AUTOCAST_DTYPES = {'bfloat16': torch.bfloat16, 'float16': torch.float16,
                    'bf16': torch.bfloat16, 'fp16': torch.float16}


class NonFiniteLossError(FloatingPointError):
    """A loss term became NaN or Inf."""


def _in_our_scope(init):
    """Run ``__init__`` in the ``mmlogitkd`` scope, whatever the config's
    default scope (e.g. ``'mmpretrain'``): the student, teacher, losses and
    preprocessor then resolve our types and, through the parent registries,
    MMPretrain's."""

    @functools.wraps(init)
    def wrapped(self, *args, **kwargs):
        with DefaultScope.overwrite_default_scope('mmlogitkd'):
            init(self, *args, **kwargs)

    return wrapped


@register_to_mmpretrain('MODELS')
@MODELS.register_module()
class LogitDistiller(BaseModel):
    """Distil a student classifier from a frozen teacher through its logits.

    It is registered in MMPretrain's ``MODELS`` too, so a plain MMPretrain
    config (``default_scope='mmpretrain'`` with ``custom_imports``) names it
    as ``type='LogitDistiller'``; everything it builds (student, teacher,
    losses, data preprocessor) is built in the ``mmlogitkd`` scope, which
    sees every MMPretrain type.

    Args:
        student: config of the student, an MMPretrain classifier (or a
            ``cfg_path`` dict, optionally with ``pretrained``, see
            :func:`build_classifier`).
        teacher: config of the teacher, built the same way. A
            ``pretrained=True`` (or a path/URL) teacher is loaded like
            ``teacher_ckpt`` (strict, pinned by ``teacher_ckpt_sha256``);
            giving both is an error.
        distill_losses: name -> loss config. Names are logged as they are
            and must start with ``loss_`` (MMEngine sums the terms whose name
            contains ``loss``). Every loss follows
            ``forward(student_logits, teacher_logits, labels=None)`` and
            declares ``num_views``; all must agree.
        ce_weight: weight of the student's classification loss (its head's
            ``loss_module``, so label smoothing configured there applies), on
            every view.
        teacher_ckpt: path or URL of the teacher checkpoint, loaded strictly
            at build time (URLs are downloaded once into MMEngine's
            checkpoint cache, see :mod:`mmlogitkd.checkpoint.download`).
            None leaves the teacher as built (e.g. with its own
            ``init_cfg``), which is only sensible for tests.
        teacher_ckpt_sha256: expected SHA-256 of ``teacher_ckpt``: all 64
            hex digits, or a prefix of at least 12.
        teacher_ckpt_prefix: keep only checkpoint keys under this prefix,
            e.g. ``'student.'`` to reuse a distilled student as a teacher.
        teacher_ckpt_allow_unsafe: allow full unpickling of the teacher
            checkpoint (explicit opt-in; see :mod:`mmlogitkd.compat`).
        distill_head: optional student module applied to the student logits
            before the distillation losses only (e.g. ``TaskSerialization``,
            which the AEKT ablation tried). CE and inference use the raw
            logits; exported students drop it.
        student_forward: ``'separate'`` (default) runs one student forward
            per view, so batch-norm statistics are computed per view as in
            the original CRLD/MLKD code; ``'concat'`` runs one forward on the
            concatenated views (faster, but BN then mixes weak and strong
            statistics, which changes the method).
        channels_last: convert student, teacher and inputs to channels-last
            memory format (faster convolutions on CPU and tensor cores).
        teacher_autocast: ``None`` or a dtype name (``'bfloat16'``,
            ``'float16'``) to run the teacher forward under autocast; the
            teacher logits are returned in float32.
        nonfinite_loss: ``'stop'`` raises :class:`NonFiniteLossError` naming
            the term and iteration; ``'skip'`` replaces the step's loss by a
            zero that keeps every gradient finite and restores every buffer
            the step's forward changed (BatchNorm running statistics, which
            a NaN batch would otherwise poison for evaluation). Momentum and
            weight decay of the optimizer still apply to that step.
        teacher_cache: ``dict(root=..., dtype='float32')`` to store the
            teacher's logits on the first run and read them in later runs
            with the same key instead of running the teacher (exact with
            float32; needs ``augment_on_device``; see
            :mod:`.teacher_cache`). None (default) runs the teacher on every
            step.
        data_preprocessor: defaults to :class:`MultiViewClsDataPreprocessor`,
            which is also the type of a dict without ``type`` (MMPretrain
            configs write their top-level ``data_preprocessor`` so).
        init_cfg: initialisation config of the whole algorithm.
    """

    @_in_our_scope
    def __init__(self,
                 student: dict,
                 teacher: dict,
                 distill_losses: Optional[Dict[str, dict]] = None,
                 ce_weight: float = 1.0,
                 teacher_ckpt: Optional[str] = None,
                 teacher_ckpt_sha256: Optional[str] = None,
                 teacher_ckpt_prefix: Optional[str] = None,
                 teacher_ckpt_allow_unsafe: bool = False,
                 distill_head: Optional[dict] = None,
                 student_forward: str = 'separate',
                 channels_last: bool = False,
                 teacher_autocast: Optional[str] = None,
                 nonfinite_loss: str = 'stop',
                 teacher_cache: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        if data_preprocessor is None:
            data_preprocessor = dict(type='MultiViewClsDataPreprocessor')
        elif isinstance(data_preprocessor, dict):
            data_preprocessor = dict(data_preprocessor)
            data_preprocessor.setdefault('type',
                                         'MultiViewClsDataPreprocessor')
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        _check_choice('student_forward', student_forward,
                      ('separate', 'concat'))
        _check_choice('nonfinite_loss', nonfinite_loss, ('stop', 'skip'))
        if teacher_autocast is not None:
            _check_choice('teacher_autocast', teacher_autocast,
                          tuple(_AUTOCAST_DTYPES))
        if ce_weight < 0:
            raise ValueError(f'ce_weight must be >= 0, got {ce_weight}')

        self.student = build_classifier(student, 'model.student')
        if isinstance(teacher, dict):
            teacher, pretrained, pretrained_sha256 = split_pretrained(
                teacher, 'model.teacher')
            if pretrained is not None:
                if teacher_ckpt is not None:
                    raise ValueError(
                        'model.teacher.pretrained and model.teacher_ckpt '
                        'both name teacher weights; keep one (teacher_ckpt '
                        'for a file or URL, pretrained=True for the model '
                        'zoo weights of the teacher\'s cfg_path).')
                if pretrained_sha256 is not None:
                    if teacher_ckpt_sha256 is not None:
                        raise ValueError(
                            'model.teacher.pretrained_sha256 and '
                            'model.teacher_ckpt_sha256 both pin the teacher '
                            'weights; keep one.')
                    teacher_ckpt_sha256 = pretrained_sha256
                teacher_ckpt = pretrained
        self.teacher = build_classifier(teacher, 'model.teacher')
        self._check_num_classes()
        self.distill_losses = nn.ModuleDict()
        for name, loss_cfg in (distill_losses or {}).items():
            if not name.startswith('loss_'):
                raise ValueError(
                    f'distill_losses key "{name}" must start with "loss_" so '
                    'that it is logged and summed into the total loss.')
            self.distill_losses[name] = MODELS.build(loss_cfg)
        self.num_views = self._infer_num_views()
        self.distill_head = MODELS.build(distill_head) \
            if distill_head is not None else None
        self.ce_weight = ce_weight
        self.student_forward = student_forward
        self.channels_last = channels_last
        self.teacher_autocast = teacher_autocast
        self.nonfinite_loss = nonfinite_loss
        self.teacher_cache = TeacherLogitCache(**teacher_cache) \
            if teacher_cache else None
        # Buffers before the current step's forward ('skip' restores them).
        self._buffer_snapshot: Optional[Dict[str, torch.Tensor]] = None

        self.teacher_ckpt = teacher_ckpt
        self.teacher_ckpt_sha256 = None
        if teacher_ckpt is not None:
            self.teacher_ckpt_sha256 = load_teacher_checkpoint(
                self.teacher, teacher_ckpt, sha256=teacher_ckpt_sha256,
                prefix=teacher_ckpt_prefix,
                allow_unsafe=teacher_ckpt_allow_unsafe,
                setting='model.teacher_ckpt')
            # The runner's init_weights must not re-initialise loaded weights.
            self.teacher._is_init = True
        elif teacher_ckpt_sha256 is not None:
            raise ValueError('teacher_ckpt_sha256 is set but teacher_ckpt '
                             'is None: nothing to check the hash against.')
        self.teacher.requires_grad_(False)
        self.teacher.eval()
        if channels_last:
            self.student.to(memory_format=torch.channels_last)
            self.teacher.to(memory_format=torch.channels_last)

    # ------------------------------------------------------------------
    # construction checks
    # ------------------------------------------------------------------
    def _check_num_classes(self) -> None:
        student_classes = getattr(getattr(self.student, 'head', None),
                                  'num_classes', None)
        teacher_classes = getattr(getattr(self.teacher, 'head', None),
                                  'num_classes', None)
        if (student_classes is not None and teacher_classes is not None
                and student_classes != teacher_classes):
            raise ValueError(
                f'teacher and student disagree on the number of classes: '
                f'model.teacher.head.num_classes={teacher_classes}, '
                f'model.student.head.num_classes={student_classes}.')

    def _infer_num_views(self) -> int:
        views = {name: getattr(loss, 'num_views', 1)
                 for name, loss in self.distill_losses.items()}
        if len(set(views.values())) > 1:
            raise ValueError('distill_losses disagree on the number of '
                             f'views per image: {views}')
        return next(iter(views.values()), 1)

    # ------------------------------------------------------------------
    # modes
    # ------------------------------------------------------------------
    def train(self, mode: bool = True) -> 'LogitDistiller':
        """Switch the student; the teacher stays in eval mode."""
        super().train(mode)
        self.teacher.eval()
        return self

    def forward(self,
                inputs: Union[torch.Tensor, List[torch.Tensor]],
                data_samples: Optional[list] = None,
                mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        # Validation, testing and export see the student alone, on the
        # first (weak/standard) view.
        if isinstance(inputs, (list, tuple)):
            inputs = inputs[0]
        inputs = self._memory_format(inputs)
        if mode == 'predict':
            return self.student(inputs, data_samples, mode='predict')
        if mode == 'tensor':
            return self.student(inputs, mode='tensor')
        raise RuntimeError(f'Invalid mode "{mode}". Only supports loss, '
                           'predict and tensor mode')

    # ------------------------------------------------------------------
    # the training step
    # ------------------------------------------------------------------
    def _memory_format(self, tensor: torch.Tensor) -> torch.Tensor:
        if self.channels_last and tensor.dim() == 4:
            return tensor.contiguous(memory_format=torch.channels_last)
        return tensor

    def _split_views(self, inputs) -> List[torch.Tensor]:
        views = list(inputs) if isinstance(inputs, (list, tuple)) \
            else [inputs]
        if len(views) != self.num_views:
            raise ValueError(
                f'the distillation losses expect {self.num_views} view(s) '
                f'per image, but the data pipeline gives {len(views)}. '
                'Two-view losses (CRLD, MLKD) need a MultiView pipeline '
                '(configs/_base_/datasets/*two_view*.py); single-view losses '
                'need a single-view one.')
        return [self._memory_format(v) for v in views]

    @torch.no_grad()
    def teacher_logits(self, views: Sequence[torch.Tensor]
                       ) -> List[torch.Tensor]:
        """Teacher logits for every view, from one eval-mode forward."""
        batch = torch.cat(list(views)) if len(views) > 1 else views[0]
        if self.teacher_autocast is not None:
            with torch.autocast(
                    device_type=batch.device.type,
                    dtype=_AUTOCAST_DTYPES[self.teacher_autocast]):
                logits = self.teacher(batch, mode='tensor')
        else:
            logits = self.teacher(batch, mode='tensor')
        return list(logits.float().split([len(v) for v in views]))

    def _cached_teacher_logits(self, views: Sequence[torch.Tensor],
                               data_samples: list) -> List[torch.Tensor]:
        """Teacher logits from the cache when every sample of the batch is
        stored there, else from the teacher (and stored)."""
        cache = self.teacher_cache
        if cache is None or not cache.is_open:
            return self.teacher_logits(views)
        indices = [int(sample.sample_idx) for sample in data_samples]
        logits = cache.lookup(indices)
        if logits is not None:
            return [view.to(views[0].device) for view in logits]
        logits = self.teacher_logits(views)
        cache.store(indices, logits)
        return logits

    def student_logits(self, views: Sequence[torch.Tensor]
                       ) -> List[torch.Tensor]:
        """Student logits for every view (see ``student_forward``)."""
        if self.student_forward == 'concat' and len(views) > 1:
            logits = self.student(torch.cat(list(views)), mode='tensor')
            return list(logits.split([len(v) for v in views]))
        return [self.student(v, mode='tensor') for v in views]

    def _classification_loss(self, logits: torch.Tensor,
                             labels: torch.Tensor) -> torch.Tensor:
        loss_module = getattr(getattr(self.student, 'head', None),
                              'loss_module', None)
        if loss_module is None:
            return F.cross_entropy(logits, labels)
        return loss_module(logits, labels)

    def loss(self, inputs, data_samples: list) -> Dict[str, torch.Tensor]:
        """Every loss term of one step, by name (summed by the runner)."""
        if self.nonfinite_loss == 'skip':
            self._snapshot_buffers()
        views = self._split_views(inputs)
        labels = torch.cat([ds.gt_label for ds in data_samples]).to(
            views[0].device)
        teacher_logits = self._cached_teacher_logits(views, data_samples)
        student_logits = self.student_logits(views)

        losses = dict()
        losses['loss_ce'] = self.ce_weight * sum(
            self._classification_loss(s, labels) for s in student_logits)
        if self.distill_losses:
            distill_inputs = student_logits if self.distill_head is None \
                else [self.distill_head(s) for s in student_logits]
            if self.num_views == 1:
                student_arg, teacher_arg = distill_inputs[0], \
                    teacher_logits[0]
            else:
                student_arg, teacher_arg = distill_inputs, teacher_logits
            for name, loss_module in self.distill_losses.items():
                losses[name] = loss_module(student_arg, teacher_arg, labels)
                losses.update(_diagnostics_of(name, loss_module))
        with torch.no_grad():
            weak = student_logits[0]
            losses['train_acc_top1'] = (weak.argmax(1) == labels).float() \
                .mean() * 100
        return losses

    def parse_losses(self, losses: Dict[str, torch.Tensor]):
        """Sum the terms whose name starts with ``loss``; log every entry.

        Entries that do not start with ``loss`` (``train_acc_top1``, the
        losses' diagnostics ``<method>/<name>``) are logged but never summed.
        A non-finite term stops the run (or skips the step, see
        ``nonfinite_loss``). ``parse_losses`` is also what MMEngine's DDP
        wrapper calls, so the guard holds in distributed runs.
        """
        bad = [name for name, value in losses.items()
               if _is_loss(name) and not torch.isfinite(value).all()]
        if bad:
            iteration = MessageHub.get_current_instance().get_info('iter')
            values = ', '.join(f'{n}={losses[n].detach().float().mean()}'
                               for n in bad)
            message = (f'non-finite loss at iteration {iteration}: {values}')
            if self.nonfinite_loss == 'stop':
                raise NonFiniteLossError(
                    message + '. The run stops before the weights are '
                    'updated, so the last checkpoint is intact; set '
                    'model.nonfinite_loss="skip" to skip such steps.')
            restored = self._restore_buffers()
            print_log(message + ': step skipped' + (
                f' ({restored} buffers such as BatchNorm running statistics '
                'restored to their values before the step)'
                if restored else ''), logger='current', level=30)
            zero = sum((p * 0).sum() for p in self.parameters()
                       if p.requires_grad)
            losses = {name: (zero if _is_loss(name) else value)
                      for name, value in losses.items()}
        if self._buffer_snapshot is not None:  # 'skip': a step went well
            self._buffer_snapshot = None
        log_vars = OrderedDict()
        for name, value in losses.items():
            if not isinstance(value, torch.Tensor):
                raise TypeError(f'{name} is not a tensor')
            log_vars[name] = value.mean()
        total = sum(value for name, value in log_vars.items()
                    if _is_loss(name))
        log_vars = OrderedDict([('loss', total)] + list(log_vars.items()))
        return total, log_vars

    # ------------------------------------------------------------------
    # nonfinite_loss='skip': undo what the skipped step's forward changed
    # ------------------------------------------------------------------
    def _snapshot_buffers(self) -> None:
        """Copy every buffer a training forward can change (the frozen
        teacher's never change): BatchNorm running statistics and counters
        of the student, the distillation head and the losses."""
        self._buffer_snapshot = {
            name: buffer.detach().clone()
            for name, buffer in self.named_buffers()
            if not name.startswith('teacher.')
            and not name.startswith('data_preprocessor.')}

    @torch.no_grad()
    def _restore_buffers(self) -> int:
        """Put the snapshot back; returns the number of buffers that the
        step had changed."""
        snapshot, self._buffer_snapshot = self._buffer_snapshot, None
        if not snapshot:
            return 0
        changed = 0
        for name, buffer in self.named_buffers():
            before = snapshot.get(name)
            if before is not None and not torch.equal(buffer, before):
                buffer.copy_(before)
                changed += 1
        return changed


def _is_loss(name: str) -> bool:
    """Whether a ``loss()`` entry is a loss term (summed into the total)."""
    return name.startswith('loss')


def diagnostics_prefix(loss_name: str) -> str:
    """Log prefix of a loss's diagnostics: ``loss_crld`` -> ``crld``."""
    return loss_name[len('loss_'):]


def _diagnostics_of(loss_name: str, loss_module: nn.Module) -> dict:
    """``{'<method>/<name>': value}`` of what the loss recorded (keys never
    start with ``loss``, so they are logged but not summed)."""
    record = getattr(loss_module, 'diagnostics', None)
    if record is None:
        return {}
    prefix = diagnostics_prefix(loss_name)
    return {f'{prefix}/{key}': value for key, value in record().items()}


def _check_choice(name: str, value, choices) -> None:
    if value not in choices:
        raise ValueError(f'{name} must be one of {choices}, got "{value}"')

