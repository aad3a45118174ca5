from .setup_env import register_all_modules
from .version_check import check_versions, installed_version, version_problems

__all__ = [
    'check_versions', 'installed_version', 'register_all_modules',
    'version_problems'
]
