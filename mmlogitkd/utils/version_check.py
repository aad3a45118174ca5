"""Import-time check of the OpenMMLab stack versions.

A readable error that names the installed and supported versions replaces the
bare ``assert`` of the upstream packages (e.g. MMRazor's ``mmcv <= 2.1.0``).
"""
from importlib import metadata
from typing import Dict, Optional, Tuple

from packaging.version import Version

# Distribution names that provide an importable package (mmcv ships as
# ``mmcv`` or ``mmcv-lite``; both import as ``mmcv``).
_DISTRIBUTIONS = {
    'torch': ('torch', ),
    'mmengine': ('mmengine', ),
    'mmcv': ('mmcv', 'mmcv-lite'),
    'mmpretrain': ('mmpretrain', ),
    'mmrazor': ('mmrazor', ),
}


def installed_version(package: str) -> Optional[str]:
    """Return the installed version of ``package`` or None if it is absent."""
    for dist in _DISTRIBUTIONS.get(package, (package, )):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return None


def version_problems(
        supported: Dict[str, Tuple[str, Optional[str]]],
        installed: Optional[Dict[str, Optional[str]]] = None) -> list:
    """List human-readable problems with the installed versions.

    Args:
        supported: package name -> (minimum inclusive, maximum exclusive).
        installed: package name -> version; read from the environment when
            None (the argument exists so the check can be tested).

    Returns:
        list[str]: one message per missing or out-of-range package.
    """
    problems = []
    for name, (low, high) in supported.items():
        found = (installed or {}).get(name) if installed is not None \
            else installed_version(name)
        wanted = f'>={low}' + (f',<{high}' if high else '')
        if found is None:
            problems.append(f'{name} is not installed (need {wanted})')
            continue
        version = Version(Version(found).base_version)
        if version < Version(low) or (high and version >= Version(high)):
            problems.append(f'{name} {found} is installed, '
                            f'mmlogitkd supports {name}{wanted}')
    return problems


def check_versions(supported: Dict[str, Tuple[str, Optional[str]]]) -> None:
    """Raise an ImportError that lists every unsupported dependency."""
    problems = version_problems(supported)
    if problems:
        raise ImportError(
            'mmlogitkd cannot run with the installed OpenMMLab stack:\n  - ' +
            '\n  - '.join(problems) +
            '\nInstall the supported set with `pip install -r '
            'requirements/runtime.txt` (see docs/supported_versions.md).')
