"""Workarounds for today's OpenMMLab stack, kept in one place.

Each workaround names the upstream problem it covers and has a test in
``tests/test_compat.py`` that fails when the upstream behaviour changes.

1. **MMRazor 1.0.0 on torch >= 2** (open-mmlab/mmrazor#632, #652): importing
   ``mmrazor.models`` or ``mmrazor.engine`` fails in
   ``mmrazor/structures/quantization/backend_config`` with
   ``ImportError: torch>=1.13 is not installed properly``. We put an inert
   module under ``mmrazor.structures.quantization`` into ``sys.modules``
   before anything imports MMRazor. Only MMRazor's quantization is lost; its
   distillation part (``SingleTeacherDistill``, ``ConfigurableDistiller``,
   recorders, losses) keeps working.
2. **Checkpoints under torch's ``weights_only=True`` default** (torch >= 2.6):
   MMEngine 0.10.7 calls ``torch.load`` without ``weights_only``, so its own
   runner checkpoints (which pickle ``HistoryBuffer`` and NumPy objects) fail
   to load on resume. :func:`install_checkpoint_loader` re-registers
   MMEngine's local-file loader so that every file goes through
   :func:`mmlogitkd.checkpoint.load_checkpoint_file`: weights-only first,
   full unpickling only for trusted files (the trust rules are in
   :mod:`mmlogitkd.checkpoint.loading`).
3. **``pkg::`` config paths with editable installs**: MMEngine's
   ``get_installed_path`` joins the distribution's location with the package
   name, which for PEP 660 editable installs (``pip install -e .``) points
   into ``site-packages`` where no package directory exists, so
   ``_base_ = 'mmlogitkd::...'`` fails. :func:`patch_installed_path` falls
   back to the imported module's directory when the computed path does not
   exist. Regular installs are unaffected. MMEngine also only accepts
   ``pkg::`` for packages listed in its ``MODULE2PACKAGE`` table; we add
   ``mmlogitkd`` to it. Both take effect once ``mmlogitkd`` is imported, so a
   script that loads a config inheriting ``mmlogitkd::...`` must import
   ``mmlogitkd`` before ``Config.fromfile`` (our ``tools/*.py`` do).
4. **Warnings users cannot act on**, printed by every start:
   mmcv-lite's ``Fail to import MultiScaleDeformableAttention`` (a detection
   op we never use; mmcv-lite is the dependency we chose), setuptools'
   ``pkg_resources is deprecated`` raised by MMEngine's ``pkg::`` path lookup
   (on its import and on each reload of ``pkg_resources`` it does)
   (our setuptools pin keeps ``pkg_resources`` importable for exactly that),
   and MMEngine 0.10.7's ``"FileClient" will be deprecated`` /
   ``"HardDiskBackend" is the alias of "LocalBackend"``, which its own
   ``CheckpointHook.before_train`` and ``save_checkpoint`` log whatever the
   config says.
   :func:`silence_stack_warnings` drops exactly these: each filter matches
   the message *and* where it comes from (the warning's module, or for the
   two log lines one of those two functions on the stack), so
   the same text from anywhere else (e.g. the user's own ``FileClient``)
   and every other warning still show.
5. **MMRazor's ``KDSoftCELoss`` imports ``soft_cross_entropy`` from
   ``mmcls``**, which MMPretrain replaced; without ``mmcls`` it holds an
   MMRazor placeholder and fails on construction (``TypeError ... unexpected
   keyword argument 'reduction'``). :func:`patch_mmrazor_distillation` puts
   MMPretrain's ``soft_cross_entropy`` (the same function, renamed package)
   in its place.
6. **MMRazor's distillation val loops return nothing**:
   ``SingleTeacherDistillValLoop.run`` and ``SelfDistillValLoop.run`` were
   written for MMEngine < 0.8, whose ``ValLoop.run`` returned nothing; since
   0.8 ``Runner.val()`` returns what the loop returns, so it gives ``None``,
   and the validation losses MMEngine's ``run_iter`` records are never
   cleared. The patched ``run`` clears them and returns the metrics the loop
   passes to ``after_val_epoch`` (student and ``teacher.``-prefixed teacher
   metrics, or ``student.``-prefixed ones). (The ``KeyError: -1`` of MMRazor's
   own loop tests comes from their toy model, whose ``val_step`` returns a
   dict; MMEngine's plain ``ValLoop`` fails the same way on it.)
"""
import logging
import os.path as osp
import sys
import types
import warnings

QUANT_MODULE = 'mmrazor.structures.quantization'


def _make_quantization_stub() -> types.ModuleType:
    stub = types.ModuleType(QUANT_MODULE)
    stub.__doc__ = ('Inert stand-in installed by mmlogitkd.compat: MMRazor '
                    'quantization cannot be imported on torch>=2 '
                    '(open-mmlab/mmrazor#632).')
    stub.BackendConfigs = {}

    class QConfigHandler:  # noqa: D401 - mirrors the MMRazor name

        def __init__(self, *args, **kwargs):
            raise ImportError(
                'MMRazor quantization is unavailable: mmlogitkd replaces '
                'mmrazor.structures.quantization with a stub because it '
                'cannot be imported on torch>=2 (open-mmlab/mmrazor#632).')

    stub.QConfigHandler = QConfigHandler
    stub.__all__ = ['BackendConfigs', 'QConfigHandler']
    stub.__mmlogitkd_stub__ = True
    return stub


def patch_mmrazor_import() -> bool:
    """Make ``import mmrazor.models`` work on torch >= 2.

    Returns:
        bool: True if the stub was installed by this call, False if the real
        module (or the stub) was already present.
    """
    if QUANT_MODULE in sys.modules:
        return False
    sys.modules[QUANT_MODULE] = _make_quantization_stub()
    return True


# --------------------------------------------------------------------------
# Checkpoint loading
# --------------------------------------------------------------------------
def install_checkpoint_loader() -> None:
    """Route MMEngine's local-file checkpoint loads (resume, ``load_from``,
    ``Pretrained`` init) through
    :func:`mmlogitkd.checkpoint.load_checkpoint_file` and its trust rules."""
    from mmengine.runner.checkpoint import CheckpointLoader

    from mmlogitkd.checkpoint.loading import load_checkpoint_file

    def load_from_local(filename, map_location):
        return load_checkpoint_file(filename, map_location=map_location)

    load_from_local.__mmlogitkd__ = True
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_from_local, force=True)


# --------------------------------------------------------------------------
# Installed path of editable packages
# --------------------------------------------------------------------------
def patch_installed_path() -> None:
    """Make MMEngine find ``.mim`` of editable installs (see module doc)."""
    import importlib.util

    import mmengine.config.config as config_module
    import mmengine.utils as utils_module
    from mmengine.utils import package_utils

    original = package_utils.get_installed_path
    if getattr(original, '__mmlogitkd__', False):
        return

    def get_installed_path(package: str) -> str:
        path = original(package)
        if osp.exists(path):
            return path
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin is not None:
            return osp.dirname(spec.origin)
        return path

    get_installed_path.__mmlogitkd__ = True
    for module in (package_utils, utils_module, config_module):
        module.get_installed_path = get_installed_path
    from mmengine.config.utils import MODULE2PACKAGE
    MODULE2PACKAGE.setdefault('mmlogitkd', 'mmlogitkd')


# --------------------------------------------------------------------------
# Warnings users cannot act on
# --------------------------------------------------------------------------
#: (message regex, module regex) of the Python warnings we drop.
SILENCED_WARNINGS = (
    (r'Fail to import ``MultiScaleDeformableAttention``',
     r'mmcv\.cnn\.bricks\.transformer'),
    (r'pkg_resources is deprecated as an API',
     r'mmengine\.utils\.package_utils'),
    # ... and again on each of its ``importlib.reload(pkg_resources)`` in
    # ``is_installed`` (every ``pkg::`` config path), which Python
    # attributes to importlib: a plain ``import pkg_resources`` still shows
    (r'pkg_resources is deprecated as an API', r'importlib$'),
)
#: Start of the MMEngine log lines we drop, and the (file, function) of
#: which one must be on the stack for the line to be dropped: MMEngine's
#: ``CheckpointHook.before_train`` and ``save_checkpoint`` call
#: ``FileClient.infer_client`` even when no ``file_client_args`` is set.
SILENCED_LOG_LINES = (
    '"FileClient" will be deprecated in future.',
    '"HardDiskBackend" is the alias of "LocalBackend"',
)
LOG_LINE_ORIGINS = (
    (osp.join('mmengine', 'hooks', 'checkpoint_hook.py'), 'before_train'),
    (osp.join('mmengine', 'runner', 'checkpoint.py'), 'save_checkpoint'),
)


def _called_from(origins) -> bool:
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        for filename, function in origins:
            if code.co_name == function and \
                    code.co_filename.endswith(filename):
                return True
        frame = frame.f_back
    return False


class StackNoiseFilter(logging.Filter):
    """Drops MMEngine's FileClient/HardDiskBackend deprecation lines when
    ``CheckpointHook.before_train`` logs them (see module doc, item 4)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.WARNING:
            return True
        message = record.getMessage()
        if message.startswith(SILENCED_LOG_LINES) and \
                _called_from(LOG_LINE_ORIGINS):
            return False
        return True


def _add_noise_filter(logger: logging.Logger) -> None:
    if not any(isinstance(f, StackNoiseFilter) for f in logger.filters):
        logger.addFilter(StackNoiseFilter())


def silence_stack_warnings() -> None:
    """Install the filters of item 4 (idempotent). Python warning filters
    act from now on, so this runs before MMPretrain imports mmcv."""
    for message, module in SILENCED_WARNINGS:
        warnings.filterwarnings(
            'ignore', message=message, category=UserWarning, module=module)
    try:
        from mmengine.logging import MMLogger
    except ImportError:  # check_versions reports what is missing
        return
    original = MMLogger.__init__
    if not getattr(original, '__mmlogitkd__', False):

        def __init__(self, *args, **kwargs):
            original(self, *args, **kwargs)
            _add_noise_filter(self)

        __init__.__mmlogitkd__ = True
        __init__.__wrapped__ = original
        MMLogger.__init__ = __init__
    for logger in list(MMLogger._instance_dict.values()):
        _add_noise_filter(logger)


# --------------------------------------------------------------------------
# MMRazor's distillation API on today's stack
# --------------------------------------------------------------------------
def _is_mmrazor_placeholder(obj) -> bool:
    return isinstance(obj, type) and obj.__name__ == 'PlaceHolder' and \
        obj.__module__.startswith('mmrazor')


def _returning_metrics(run):
    """Wrap an MMRazor val loop's ``run`` (see module doc, item 6)."""

    def wrapped(self):
        if isinstance(getattr(self, 'val_loss', None), dict):
            self.val_loss.clear()
        captured = []
        runner = self.runner
        shadowed = vars(runner).get('call_hook')
        call_hook = runner.call_hook

        def spy(fn_name, **kwargs):
            if fn_name == 'after_val_epoch':
                captured.append(kwargs.get('metrics'))
            return call_hook(fn_name, **kwargs)

        runner.call_hook = spy
        try:
            result = run(self)
        finally:
            if shadowed is None:
                vars(runner).pop('call_hook', None)
            else:
                runner.call_hook = shadowed
        if result is None and captured:
            result = captured[-1]
        return result

    wrapped.__name__ = run.__name__
    wrapped.__doc__ = run.__doc__
    wrapped.__wrapped__ = run
    wrapped.__mmlogitkd__ = True
    return wrapped


def patch_mmrazor_distillation() -> None:
    """Items 5 and 6 of the module doc. Idempotent."""
    from mmpretrain.models.losses.cross_entropy_loss import \
        soft_cross_entropy
    from mmrazor.engine.runner import distill_val_loop
    from mmrazor.models.losses import kd_soft_ce_loss

    if _is_mmrazor_placeholder(kd_soft_ce_loss.soft_cross_entropy):
        kd_soft_ce_loss.soft_cross_entropy = soft_cross_entropy
    for name in ('SingleTeacherDistillValLoop', 'SelfDistillValLoop'):
        loop = getattr(distill_val_loop, name)
        if not getattr(loop.run, '__mmlogitkd__', False):
            loop.run = _returning_metrics(loop.run)


def apply_all() -> None:
    """Apply every workaround. Idempotent; called by ``import mmlogitkd``."""
    patch_mmrazor_import()
    silence_stack_warnings()
    install_checkpoint_loader()
    patch_installed_path()
