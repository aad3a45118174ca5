from .version_check import check_versions, installed_version, version_problems

__all__ = ['check_versions', 'installed_version', 'version_problems']
