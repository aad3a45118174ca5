"""Global-batch gathering for batch-level losses (CKD ``gather=True``).

Why the local gradient is scaled by the world size
--------------------------------------------------
Every rank builds the **whole** ``B_total x B_total`` similarity matrix: the
teacher rows and student columns of all ranks, gathered with one
``all_gather``. The gathered student columns of other ranks are constants;
only the local columns carry gradient. Each rank's loss value is therefore
exactly the single-process loss ``L`` on the concatenated batch, and autograd
on rank r gives the complete ``dL/ds_j`` for its own students ``j`` (all rows
are present, so no cross-rank term is missing).

DDP then **averages** parameter gradients over the R ranks. The per-rank
contributions add up to ``dL/dtheta``, so the average is ``dL/dtheta / R``.
To make the DDP-averaged gradient equal to the single-process gradient of
the concatenated batch, the local student block is passed through an
identity whose backward multiplies by R. This assumes the standard
DDP/MMEngine averaging of gradients; a wrapper that sums gradients instead
would see R times the single-process gradient.

Ranks may hold different batch sizes (they are padded for the collective and
trimmed afterwards).
"""
from typing import Tuple

import torch
import torch.distributed as dist
from torch import Tensor


class _ScaleGradient(torch.autograd.Function):
    """Identity in the forward pass; multiplies the gradient by ``factor``."""

    @staticmethod
    def forward(ctx, tensor: Tensor, factor: float) -> Tensor:
        ctx.factor = factor
        return tensor.view_as(tensor)

    @staticmethod
    def backward(ctx, grad: Tensor):
        return grad * ctx.factor, None


def scale_gradient(tensor: Tensor, factor: float) -> Tensor:
    """Return ``tensor`` unchanged; its gradient is multiplied by factor."""
    return _ScaleGradient.apply(tensor, factor)


def distributed_world_size() -> int:
    """World size of the default process group, 1 when none is initialised.
    """
    if dist.is_available() and dist.is_initialized():
        return dist.get_world_size()
    return 1


def gather_for_global_batch(student: Tensor,
                            teacher: Tensor) -> Tuple[Tensor, Tensor]:
    """Concatenate the ``[B_r, C]`` student and teacher tensors of all ranks.

    Without an initialised process group (or with one rank) the inputs are
    returned unchanged.

    Args:
        student (Tensor): local ``[B_r, C]`` student tensor (with gradient).
        teacher (Tensor): local ``[B_r, C]`` teacher tensor (no gradient).

    Returns:
        tuple[Tensor, Tensor]: ``[B_total, C]`` student and teacher tensors
        in rank order. Only the local student block carries gradient, scaled
        by the world size (see the module docstring).
    """
    world_size = distributed_world_size()
    if world_size == 1:
        return student, teacher
    rank = dist.get_rank()
    batch, num_classes = student.shape
    size = torch.tensor([batch], device=student.device, dtype=torch.long)
    sizes = [torch.zeros_like(size) for _ in range(world_size)]
    dist.all_gather(sizes, size)
    sizes = [int(item) for item in sizes]
    # One collective for both models: [student | teacher] along the classes.
    local = torch.cat([student.detach(), teacher.detach()], dim=1)
    padded = local.new_zeros(max(sizes), 2 * num_classes)
    padded[:batch] = local
    gathered = [torch.empty_like(padded) for _ in range(world_size)]
    dist.all_gather(gathered, padded)
    students, teachers = [], []
    for other_rank, (block, other_batch) in enumerate(zip(gathered, sizes)):
        teachers.append(block[:other_batch, num_classes:])
        if other_rank == rank:
            students.append(scale_gradient(student, float(world_size)))
        else:
            students.append(block[:other_batch, :num_classes])
    return torch.cat(students), torch.cat(teachers)
