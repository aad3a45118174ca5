"""Mixed precision where MMEngine's ``AmpOptimWrapper`` cannot run."""
from contextlib import contextmanager

import torch
from mmengine.optim import OptimWrapper

from mmlogitkd.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class AutocastOptimWrapper(OptimWrapper):
    """Run forward passes under ``torch.autocast`` without loss scaling.

    MMEngine's ``AmpOptimWrapper`` requires a GPU. On CPU, autocast computes
    in bfloat16, which has float32's exponent range and needs no loss
    scaling; ``tools/train.py --amp`` selects this wrapper when CUDA is
    unavailable.

    Args:
        dtype: autocast dtype name, ``'bfloat16'`` (default) or
            ``'float16'`` (CUDA only).
        device_type: ``'cpu'`` or ``'cuda'``; None picks CUDA when present.
    """

    def __init__(self, *args, dtype: str = 'bfloat16',
                 device_type: str = None, **kwargs):
        super().__init__(*args, **kwargs)
        if dtype not in ('bfloat16', 'float16'):
            raise ValueError(f'dtype must be bfloat16 or float16, got {dtype}')
        self.cast_dtype = getattr(torch, dtype)
        self.device_type = device_type or (
            'cuda' if torch.cuda.is_available() else 'cpu')

    @contextmanager
    def optim_context(self, model):
        with super().optim_context(model), torch.autocast(
                device_type=self.device_type, dtype=self.cast_dtype):
            yield
