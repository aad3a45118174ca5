"""CKD ``gather=True`` on two gloo processes equals the single-process loss
on the concatenated batch, and after DDP-style gradient averaging the shared
parameters receive the single-process gradient."""
import os
import socket

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

WORLD_SIZE = 2
SIZES = (5, 3)  # uneven per-rank batches exercise the padding path
NUM_CLASSES, FEATURES, TEMPERATURE, WEIGHT = 7, 4, 2.0, 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def make_data():
    generator = torch.Generator().manual_seed(0)
    features = torch.randn(sum(SIZES),
                           FEATURES,
                           generator=generator,
                           dtype=torch.float64)
    teacher = torch.randn(sum(SIZES),
                          NUM_CLASSES,
                          generator=generator,
                          dtype=torch.float64)
    weight = torch.randn(NUM_CLASSES,
                         FEATURES,
                         generator=generator,
                         dtype=torch.float64)
    return features, teacher, weight


def single_process_reference():
    from mmlogitkd.models.losses import CKDLoss
    features, teacher, weight = make_data()
    weight = weight.clone().requires_grad_()
    loss = CKDLoss(temperature=TEMPERATURE, loss_weight=WEIGHT)(features @ weight.T, teacher)
    loss.backward()
    return loss.detach(), weight.grad


def worker(rank, port, queue):
    torch.set_num_threads(1)
    os.environ['MASTER_ADDR'] = '127.0.0.1'
    os.environ['MASTER_PORT'] = str(port)
    dist.init_process_group('gloo', rank=rank, world_size=WORLD_SIZE)
    try:
        from mmlogitkd.models.losses import CKDLoss
        features, teacher, weight = make_data()
        start = sum(SIZES[:rank])
        local = slice(start, start + SIZES[rank])
        weight = weight.clone().requires_grad_()
        student = features[local] @ weight.T
        loss = CKDLoss(temperature=TEMPERATURE, loss_weight=WEIGHT, gather=True)(student,
                                                         teacher[local])
        loss.backward()
        # What DDP does to parameter gradients: average over ranks.
        grad = weight.grad.clone()
        dist.all_reduce(grad)
        grad /= WORLD_SIZE
        local_only = CKDLoss(temperature=TEMPERATURE, loss_weight=WEIGHT)(student.detach(),
                                                  teacher[local])
        # Plain lists: shared-memory tensors die with this process.
        queue.put((rank, loss.item(), grad.tolist(), local_only.item()))
    finally:
        dist.destroy_process_group()


@pytest.mark.skipif(not dist.is_available() or not dist.is_gloo_available(),
                    reason='needs torch.distributed with gloo')
def test_gathered_ckd_equals_single_process_loss_and_gradient():
    context = mp.get_context('spawn')
    queue = context.Queue()
    port = free_port()
    processes = [
        context.Process(target=worker, args=(rank, port, queue))
        for rank in range(WORLD_SIZE)
    ]
    for process in processes:
        process.start()
    results = dict()
    for _ in range(WORLD_SIZE):
        rank, loss, grad, local_only = queue.get(timeout=120)
        results[rank] = (torch.tensor(loss, dtype=torch.float64),
                         torch.tensor(grad, dtype=torch.float64),
                         torch.tensor(local_only, dtype=torch.float64))
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    expected_loss, expected_grad = single_process_reference()
    for rank in range(WORLD_SIZE):
        loss, grad, local_only = results[rank]
        torch.testing.assert_close(loss, expected_loss)
        torch.testing.assert_close(grad, expected_grad)
        # Per-rank negatives (gather=False) give a different value.
        assert not torch.allclose(local_only, expected_loss)
    assert expected_grad.abs().sum() > 0
