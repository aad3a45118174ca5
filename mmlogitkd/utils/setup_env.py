"""``register_all_modules``, the OpenMMLab convention for a package's scope."""
import time

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every mmlogitkd module so that its classes are registered.

    MMEngine calls ``mmlogitkd.utils.register_all_modules(False)`` itself for
    registries of the ``mmlogitkd`` scope without import locations.

    Args:
        init_default_scope: also make ``mmlogitkd`` the current default scope
            (as ``default_scope = 'mmlogitkd'`` does in a config).
    """
    import mmlogitkd.datasets  # noqa: F401
    import mmlogitkd.engine  # noqa: F401
    import mmlogitkd.evaluation  # noqa: F401
    import mmlogitkd.models  # noqa: F401

    current = DefaultScope.get_current_instance()
    if init_default_scope and (current is None
                               or current.scope_name != 'mmlogitkd'):
        # A fresh instance name: DefaultScope instances are never replaced.
        DefaultScope.get_instance(
            f'mmlogitkd-{time.time_ns()}', scope_name='mmlogitkd')
