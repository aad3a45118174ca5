"""mmlogitkd: logit-based knowledge distillation for the OpenMMLab stack.

Importing the package first applies the compatibility workarounds of
:mod:`mmlogitkd.compat` (MMRazor import on torch >= 2, the start-up warnings
users cannot act on, safe checkpoint loading), then checks the installed
versions, then registers every module, and last fixes MMRazor's
``KDSoftCELoss`` and distillation val loops.
"""
from . import compat

compat.patch_mmrazor_import()  # before anything can import mmrazor
compat.silence_stack_warnings()  # before MMPretrain imports mmcv

from .utils.version_check import check_versions  # noqa: E402
from .version import SUPPORTED_VERSIONS, __version__  # noqa: E402

check_versions(SUPPORTED_VERSIONS)
compat.apply_all()

# Our registries are children of MMPretrain's, whose lazy ``locations`` are
# only imported when MMPretrain's own registry is queried: import them now so
# that every MMPretrain type resolves from the ``mmlogitkd`` scope.
from mmpretrain.utils import register_all_modules  # noqa: E402

register_all_modules(init_default_scope=False)

from . import datasets, engine, evaluation, models  # noqa: E402,F401

compat.patch_mmrazor_distillation()  # MMRazor's own losses and val loops

__all__ = ['__version__', 'compat']
