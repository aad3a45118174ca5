"""Shared test fixture for the loss tests.

The loss tests run many tiny (B x C <= 64 x 100) operations. On a loaded
2-core machine, PyTorch's intra-op thread pool turns each tiny log-softmax
into a multi-millisecond wait for the second OpenMP thread, so these tests
run single-threaded; the previous setting is restored afterwards.
"""
import pytest
import torch


@pytest.fixture(scope='module', autouse=True)
def single_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
