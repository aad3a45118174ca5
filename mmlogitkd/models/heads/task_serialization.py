"""AEKT task-serialization layer (mmlogitkd interpretation)."""
import torch
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmlogitkd.registry import MODELS


@MODELS.register_module()
class TaskSerialization(BaseModule):
    """C x C linear layer on the student's classification logits (AEKT).

    Our interpretation of the "task serialization" of Park and Lee,
    "Adaptive Explicit Knowledge Transfer for Knowledge Distillation",
    arXiv 2409.01679 (no official code exists;
    docs/methods/aekt.md#design-as-implemented, OPEN-11):
    the distillation losses see ``u = g(s)`` while CE and inference use the
    classification logits ``s``, separating the two tasks.

    * Initialised to the identity (weight = I, bias = 0), so ``u = s`` at
      step 0. :meth:`init_weights` restores the identity, so an ``init_cfg``
      of the enclosing model (e.g. ``dict(type='Kaiming', layer='Linear')``,
      which MMEngine applies before the children's ``init_weights``) cannot
      leave it randomly initialised.
    * ``C^2 + C`` parameters (10,100 for CIFAR-100; 1,001,000 for
      ImageNet-1k). It must live inside the trainable model so that the
      optimizer and DDP see it. It receives gradients from the distillation
      terms only.
    * **Weight decay should be 0**: decay shrinks W toward 0, which scales
      the distillation logits like a temperature change. In configs, with
      the layer as ``LogitDistiller``'s ``distill_head``:
      ``optim_wrapper.paramwise_cfg = dict(custom_keys={'distill_head':
      dict(decay_mult=0.0)})`` (the value is :attr:`paramwise_cfg`).
    * It is excluded from exported student checkpoints (inference uses s).

    Args:
        num_classes (int): C (>= 2).
        init_cfg (dict, optional): ignored for the weights, which are always
            reset to the identity by :meth:`init_weights`.
    """

    #: ``custom_keys`` entry (value) to use for this layer's parameters.
    paramwise_cfg = dict(decay_mult=0.0)

    def __init__(self, num_classes: int, init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) \
                or num_classes < 2:
            raise ValueError(
                f'num_classes must be an integer >= 2, got {num_classes!r}')
        self.num_classes = num_classes
        self.fc = nn.Linear(num_classes, num_classes)
        self.reset_to_identity()

    @torch.no_grad()
    def reset_to_identity(self) -> None:
        """Set weight = I and bias = 0."""
        nn.init.eye_(self.fc.weight)
        nn.init.zeros_(self.fc.bias)

    def init_weights(self) -> None:
        """Identity initialisation (overrides any ``init_cfg``)."""
        self.reset_to_identity()
        self._is_init = True

    def forward(self, logits: Tensor) -> Tensor:
        """Return ``u = W s + b`` for ``[B, C]`` logits ``s``."""
        if logits.dim() != 2 or logits.shape[1] != self.num_classes:
            raise ValueError(
                f'TaskSerialization(num_classes={self.num_classes}) expects '
                f'[B, {self.num_classes}] logits, got {tuple(logits.shape)}')
        return self.fc(logits)
