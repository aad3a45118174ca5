"""Building the classifiers a distillation config names.

``student``/``teacher`` entries of :class:`~mmlogitkd.models.LogitDistiller`
are model configs, or ``dict(cfg_path=...)`` pointing at any config's
``model`` (MMRazor's convention), so MMPretrain model-zoo models and our own
zoo configs are reused by name.
"""
import os.path as osp
from typing import Union

from mmengine.config import Config
from torch import nn

from mmlogitkd.registry import MODELS


def build_classifier(cfg: Union[dict, nn.Module]) -> nn.Module:
    """Build a classifier from a config dict or a ``cfg_path``.

    ``dict(cfg_path='mmpretrain::resnet/resnet34_8xb32_in1k.py')`` takes the
    ``model`` of a model-zoo config (other keys override it), so MMPretrain
    model-zoo teachers can be reused by name.
    """
    if isinstance(cfg, nn.Module):
        return cfg
    cfg = dict(cfg)
    cfg_path = cfg.pop('cfg_path', None)
    if cfg_path is not None:
        merged = Config(dict(model=load_config_file(cfg_path)['model']))
        merged.merge_from_dict(dict(model=cfg))  # recursive override
        cfg = merged.model
    return MODELS.build(cfg)


def load_config_file(cfg_path: str) -> Config:
    """Load a config by path, or by ``package::relative/path.py`` inside an
    installed OpenMMLab package's ``.mim/configs`` (any config there, not
    only those listed in its model index)."""
    if '::' not in cfg_path:
        return Config.fromfile(cfg_path)
    package, relative = cfg_path.split('::', 1)
    from mmengine.utils import get_installed_path
    path = osp.join(get_installed_path(package), '.mim', 'configs', relative)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'cfg_path "{cfg_path}": no file {path} in package {package}')
    return Config.fromfile(path)
