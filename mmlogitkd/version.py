"""Version of mmlogitkd and the dependency ranges it supports."""

__version__ = '0.1.0'

#: Supported ranges, checked at import time (``mmlogitkd.utils.check_versions``)
#: and mirrored in ``requirements/runtime.txt`` and ``docs/supported_versions.md``.
#: Each entry is ``(minimum inclusive, maximum exclusive or None)``.
SUPPORTED_VERSIONS = {
    'torch': ('2.1.0', None),
    'mmengine': ('0.10.7', '1.0.0'),
    'mmcv': ('2.0.0', '2.2.0'),
    'mmpretrain': ('1.2.0', '1.3.0'),
    'mmrazor': ('1.0.0', '1.1.0'),
}
