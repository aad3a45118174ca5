"""Building the classifiers a distillation config names.

``student``/``teacher`` entries of :class:`~mmlogitkd.models.LogitDistiller`
are model configs, or ``dict(cfg_path=..., pretrained=...)`` pointing at any
config's ``model`` (MMRazor's convention, as in every MMRazor KD config), so
MMPretrain model-zoo models and our own zoo configs are reused by name.

``pretrained`` next to a ``cfg_path`` follows MMEngine's ``get_model``:
``False`` builds the model as configured, ``True`` loads the weights the
model index of the config's package lists for that config
(``mmengine.hub.get_config(cfg_path, pretrained=True).model_path``), and a
path or URL loads that file. Unlike ``get_model`` the weights are loaded
strictly (every missing or unexpected key is named), through the
weights-only loader, URLs are downloaded into MMEngine's checkpoint cache,
and ``pretrained_sha256`` pins the file.
"""
import os.path as osp
from typing import Optional, Tuple, Union

from mmengine.config import Config
from mmengine.logging import print_log
from torch import nn

from mmlogitkd.registry import MODELS

#: Keys of a ``cfg_path`` dict that are not model arguments.
PRETRAINED_KEYS = ('pretrained', 'pretrained_sha256')


def model_zoo_weights(cfg_path: str, setting: str = 'pretrained') -> str:
    """The weights the model index of ``cfg_path``'s package lists for that
    config (what MMEngine's ``get_model(cfg_path, pretrained=True)`` loads).

    Raises:
        ValueError: ``cfg_path`` is not a ``package::path`` or the model
            index has no weights for it (the message names the setting).
    """
    if '::' not in str(cfg_path):
        raise ValueError(
            f'{setting}=True needs a model-zoo cfg_path '
            f'("package::path/config.py"), got "{cfg_path}"; give '
            f'{setting} a checkpoint path or URL instead.')
    from mmengine.hub import get_config
    try:
        model_path = get_config(cfg_path, pretrained=True).get('model_path')
    except AssertionError:  # listed in the model index without Weights
        model_path = None
    if not model_path:
        package = cfg_path.split('::', 1)[0]
        raise ValueError(
            f'{setting}=True: the model index of {package} lists no weights '
            f'for "{cfg_path}" (base configs and configs without published '
            f'weights have none); give {setting} a checkpoint path or URL, '
            'or set it to False.')
    return model_path


def split_pretrained(cfg: dict, setting: str = 'model'
                     ) -> Tuple[dict, Optional[str], Optional[str]]:
    """Take ``pretrained``/``pretrained_sha256`` out of a ``cfg_path`` dict.

    Returns:
        tuple: the remaining config, the weights to load (a path or URL, or
        None for ``pretrained=False`` or absent) and the pinned SHA-256.
        Without ``cfg_path`` the dict is returned unchanged (``pretrained``
        is then an argument of the model type, e.g. MMPretrain's
        ``ImageClassifier``).
    """
    cfg = dict(cfg)
    if cfg.get('cfg_path') is None:
        return cfg, None, None
    pretrained = cfg.pop('pretrained', False)
    sha256 = cfg.pop('pretrained_sha256', None)
    if pretrained is None or pretrained is False:
        weights = None
    elif pretrained is True:
        weights = model_zoo_weights(cfg['cfg_path'], f'{setting}.pretrained')
    elif isinstance(pretrained, str):
        weights = pretrained
    else:
        raise TypeError(
            f'{setting}.pretrained must be True, False or a checkpoint path '
            f'or URL, got {pretrained!r}')
    if sha256 is not None and weights is None:
        raise ValueError(f'{setting}.pretrained_sha256 is set but '
                         f'{setting}.pretrained loads nothing.')
    return cfg, weights, sha256


def build_classifier(cfg: Union[dict, nn.Module],
                     setting: str = 'model') -> nn.Module:
    """Build a classifier from a config dict or a ``cfg_path``.

    ``dict(cfg_path='mmpretrain::resnet/resnet34_8xb32_in1k.py')`` takes the
    ``model`` of a model-zoo config (other keys override it), so MMPretrain
    model-zoo teachers can be reused by name; ``pretrained`` loads weights
    strictly (see the module doc).

    Args:
        cfg (dict | nn.Module): The model config (a module is returned as
            it is).
        setting (str): Its place in the config, for messages
            (``'model.student'``).
    """
    if isinstance(cfg, nn.Module):
        return cfg
    cfg, weights, sha256 = split_pretrained(cfg, setting)
    cfg_path = cfg.pop('cfg_path', None)
    if cfg_path is not None:
        merged = Config(dict(model=load_config_file(cfg_path)['model']))
        merged.merge_from_dict(dict(model=cfg))  # recursive override
        cfg = merged.model
    model = MODELS.build(cfg)
    if weights is not None:
        load_pretrained(model, weights, sha256, setting)
    return model


def load_pretrained(model: nn.Module, weights: str,
                    sha256: Optional[str] = None,
                    setting: str = 'model') -> str:
    """Load ``weights`` (path or URL) strictly into ``model``; the runner's
    ``init_weights`` then leaves them alone. Returns the file's SHA-256."""
    from mmlogitkd.checkpoint import load_teacher_checkpoint
    digest = load_teacher_checkpoint(
        model, weights, sha256=sha256, setting=f'{setting}.pretrained',
        model_name=setting)
    model._is_init = True
    print_log(f'{setting}: loaded pretrained weights {weights} '
              f'(sha256 {digest})', logger='current')
    return digest


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
