"""Convert checkpoints of the original code bases into mmlogitkd models.

The CIFAR-100 teachers everyone distils from were saved by RepDistiller
(github.com/HobbitLong/RepDistiller) and redistributed by mdistiller
(github.com/megvii-research/mdistiller); the ImageNet teachers are
torchvision ResNets and the ImageNet student is mdistiller's MobileNetV1.
Our backbones keep the original module names (METHODS §14.4), so converting
is: find the state dict in the file, strip ``DataParallel``/distiller
prefixes, prefix ``backbone.``, rename the classifier to ``head.fc``, and
check the result against the model built from our config, key by key and
shape by shape. The output holds only tensors and strings
(``{'state_dict': ..., 'meta': ...}``) so it loads with
``torch.load(weights_only=True)``.

Used by ``tools/model_converters/repdistiller2mmpretrain.py`` and
``tools/model_converters/torchvision2mmpretrain.py``.
"""
import argparse
import os
import os.path as osp
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Tuple

import torch
import torch.nn as nn

from mmlogitkd.compat import UntrustedCheckpointError, safe_torch_load
from mmlogitkd.utils.hashing import file_sha256
from mmlogitkd.version import __version__

#: Keys the original code bases may lack: files written by PyTorch < 0.4.1
#: have no BatchNorm ``num_batches_tracked``. It only matters for
#: ``momentum=None`` BN, so the model's own (zero) counter is used.
TOLERATED_MISSING_SUFFIX = 'num_batches_tracked'


@dataclass(frozen=True)
class KeyMapping:
    """How the state-dict keys of one original architecture map to ours.

    Args:
        classifier (str): Module name of the original classifier (``fc``,
            ``linear``, ``classifier`` or ``classifier.0``); it becomes
            ``head.fc``.
        renames (tuple[tuple[str, str]]): Substring renames applied to the
            other keys before the ``backbone.`` prefix is added.
    """
    classifier: str
    renames: Tuple[Tuple[str, str], ...] = ()

    def map_key(self, key: str) -> str:
        """Our key for the original ``key``."""
        if key.startswith(self.classifier + '.'):
            return 'head.fc.' + key[len(self.classifier) + 1:]
        for old, new in self.renames:
            key = key.replace(old, new)
        return 'backbone.' + key


_CIFAR_RESNET = KeyMapping('fc')
_WRN = KeyMapping('fc')
_VGG = KeyMapping('classifier')
_SHUFFLENET = KeyMapping('linear')

#: METHODS §14.4, CIFAR-100 zoo; names are those of
#: ``configs/_base_/models/cifar100/<name>.py``.
CIFAR100_KEY_MAPPINGS: Dict[str, KeyMapping] = {
    **{name: _CIFAR_RESNET for name in (
        'resnet8', 'resnet14', 'resnet20', 'resnet32', 'resnet44',
        'resnet56', 'resnet110', 'resnet8x4', 'resnet32x4')},
    # RepDistiller resnetv2.py -> MMPretrain ResNet_CIFAR(depth=50)
    'resnet50': KeyMapping('linear', renames=(('.shortcut.', '.downsample.'),
                                              )),
    **{name: _WRN for name in ('wrn_16_1', 'wrn_16_2', 'wrn_40_1',
                               'wrn_40_2')},
    **{name: _VGG for name in ('vgg8', 'vgg11', 'vgg13', 'vgg16', 'vgg19')},
    'mobilenetv2': KeyMapping('classifier.0'),
    'shufflenetv1': _SHUFFLENET,
    'shufflenetv2': _SHUFFLENET,
}

#: METHODS §14.4, ImageNet: torchvision ResNets (keys identical to
#: MMPretrain ``ResNet`` after the prefix) and mdistiller's MobileNetV1.
#: Names are those of ``configs/_base_/models/imagenet/<name>.py``.
IMAGENET_KEY_MAPPINGS: Dict[str, KeyMapping] = {
    'resnet18': KeyMapping('fc'),
    'resnet34': KeyMapping('fc'),
    'resnet50': KeyMapping('fc'),
    'mobilenet_v1': KeyMapping('fc'),
}

#: dataset folder under ``configs/_base_/models`` -> key mappings
KEY_MAPPINGS: Dict[str, Dict[str, KeyMapping]] = {
    'cifar100': CIFAR100_KEY_MAPPINGS,
    'imagenet': IMAGENET_KEY_MAPPINGS,
}


class CheckpointMismatchError(ValueError):
    """The converted checkpoint does not match the target model.

    Attributes:
        missing (list[str]): Target keys the source does not provide.
        unexpected (list[str]): Converted source keys the target lacks.
        shape_mismatches (list[str]): ``key: source shape vs model shape``.
    """

    def __init__(self, source: str, config: str, missing: List[str],
                 unexpected: List[str], shape_mismatches: List[str]):
        self.missing = missing
        self.unexpected = unexpected
        self.shape_mismatches = shape_mismatches
        lines = [f'"{source}" does not match the model of "{config}":']
        for title, names in (('missing in the source', missing),
                             ('unexpected (not in the model)', unexpected),
                             ('shape mismatch', shape_mismatches)):
            if names:
                lines.append(f'  {len(names)} {title}:')
                lines += [f'    {name}' for name in names]
        lines.append('Check that --arch names the architecture the file was '
                     'trained with.')
        super().__init__('\n'.join(lines))


@dataclass
class ConversionReport:
    """What :func:`convert_checkpoint` did, for the CLI to print."""
    output: str
    output_sha256: str
    source_sha256: str
    num_tensors: int
    filled_keys: List[str] = field(default_factory=list)
    ignored_source_keys: List[str] = field(default_factory=list)


def load_checkpoint_file(path: str, trust_source: bool = False):
    """Load ``path`` on the CPU with ``weights_only=True``.

    Args:
        path (str): Checkpoint file.
        trust_source (bool): Allow full unpickling when the file holds
            objects other than tensors and containers (e.g. RepDistiller's
            ``*_last.pth``, which pickles an ``argparse.Namespace``).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        UntrustedCheckpointError: the file needs full unpickling and
            ``trust_source`` is False.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'source checkpoint "{path}" does not exist')
    try:
        return safe_torch_load(path, map_location='cpu',
                               allow_unsafe=trust_source)
    except UntrustedCheckpointError as error:
        raise UntrustedCheckpointError(
            f'Refusing to convert "{path}": loading it with '
            'weights_only=True failed because it pickles objects other than '
            'tensors and plain containers, and unpickling such objects can '
            'run arbitrary code hidden in the file. Pass --trust-source only '
            'if you trust where the file comes from; the converted output '
            'will then hold only tensors and strings.') from error


def extract_state_dict(checkpoint, source: str) -> Tuple[OrderedDict, str]:
    """Find the state dict in a loaded checkpoint.

    Accepts a bare state dict or a dict holding it under ``'state_dict'``
    or ``'model'`` (RepDistiller/mdistiller, METHODS §14.3); a pickled
    ``nn.Module`` under those keys is reduced to its state dict.

    Returns:
        tuple: the state dict and a description of where it was found.
    """
    if isinstance(checkpoint, nn.Module):
        checkpoint = checkpoint.state_dict()
    if not isinstance(checkpoint, Mapping):
        raise TypeError(f'"{source}" holds a {type(checkpoint).__name__}, '
                        'not a state dict or a dict containing one')
    location = 'bare state dict'
    for container in ('state_dict', 'model'):
        value = checkpoint.get(container)
        if isinstance(value, nn.Module):
            value = value.state_dict()
        if isinstance(value, Mapping):
            checkpoint, location = value, f"checkpoint['{container}']"
            break
    not_tensors = sorted(
        str(key) for key, value in checkpoint.items()
        if not isinstance(value, torch.Tensor))
    if not_tensors:
        raise ValueError(
            f'"{source}": expected a state dict (a dict of tensors) or a '
            "dict with one under 'model' or 'state_dict'; the "
            f'{location} has non-tensor entries: {", ".join(not_tensors)}')
    return OrderedDict(checkpoint), location


def strip_wrapper_prefixes(
        state_dict: Mapping) -> Tuple[OrderedDict, List[str]]:
    """Remove ``DataParallel`` and mdistiller distiller prefixes.

    A distiller checkpoint (``module.student.*`` and ``module.teacher.*``)
    keeps the student; a ``DataParallel`` one (all keys ``module.*``) loses
    the prefix.

    Returns:
        tuple: the stripped state dict and the ignored source keys.
    """
    student_prefix = 'module.student.'
    if any(key.startswith(student_prefix) for key in state_dict):
        kept = OrderedDict((key[len(student_prefix):], value)
                           for key, value in state_dict.items()
                           if key.startswith(student_prefix))
        ignored = [key for key in state_dict
                   if not key.startswith(student_prefix)]
        return kept, ignored
    if state_dict and all(key.startswith('module.') for key in state_dict):
        return OrderedDict((key[len('module.'):], value)
                           for key, value in state_dict.items()), []
    return OrderedDict(state_dict), []


def map_state_dict(state_dict: Mapping, mapping: KeyMapping) -> OrderedDict:
    """Rename every key with ``mapping``; two keys may not collide."""
    converted = OrderedDict()
    origin = {}
    for key, value in state_dict.items():
        new_key = mapping.map_key(key)
        if new_key in converted:
            raise ValueError(f'source keys "{origin[new_key]}" and "{key}" '
                             f'both map to "{new_key}"')
        converted[new_key] = value
        origin[new_key] = key
    return converted


def match_target(converted: Mapping, target: Mapping, source: str,
                 config: str) -> Tuple[OrderedDict, List[str]]:
    """Check ``converted`` against the target state dict.

    Every target key must be present with the target's shape, except
    ``num_batches_tracked`` counters, which are filled from the target.
    Floating tensors are cast to the target dtype (as ``load_state_dict``
    would).

    Returns:
        tuple: the state dict in the target's key order and the filled keys.

    Raises:
        CheckpointMismatchError: listing missing, unexpected and
            wrongly-shaped keys by name.
    """
    missing, filled, shape_mismatches = [], [], []
    matched = OrderedDict()
    for key, reference in target.items():
        if key not in converted:
            if key.endswith(TOLERATED_MISSING_SUFFIX):
                matched[key] = reference.detach().clone()
                filled.append(key)
            else:
                missing.append(key)
            continue
        value = converted[key]
        if value.shape != reference.shape:
            shape_mismatches.append(
                f'{key}: source {tuple(value.shape)} vs model '
                f'{tuple(reference.shape)}')
            continue
        matched[key] = value.detach().to(dtype=reference.dtype).clone()
    unexpected = [key for key in converted if key not in target]
    if missing or unexpected or shape_mismatches:
        raise CheckpointMismatchError(source, config, missing, unexpected,
                                      shape_mismatches)
    return matched, filled


def model_config_path(dataset: str, arch: str) -> str:
    """Path of ``configs/_base_/models/<dataset>/<arch>.py``, looked up in
    the repository checkout and in the installed package's ``.mim``."""
    if arch not in KEY_MAPPINGS.get(dataset, {}):
        raise ValueError(
            f'unknown {dataset} architecture "{arch}"; choose from '
            f'{sorted(KEY_MAPPINGS.get(dataset, {}))}')
    package_root = osp.dirname(osp.dirname(osp.abspath(__file__)))
    relative = osp.join('configs', '_base_', 'models', dataset, f'{arch}.py')
    candidates = [
        osp.join(osp.dirname(package_root), relative),
        osp.join(package_root, '.mim', relative)
    ]
    for candidate in candidates:
        if osp.isfile(candidate):
            return candidate
    raise FileNotFoundError(f'model config {relative} not found in '
                            f'{" or ".join(candidates)}; pass --config')


def build_model_from_config(config: str) -> nn.Module:
    """Build ``cfg.model`` of ``config`` in the ``mmlogitkd`` scope."""
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    from mmlogitkd.registry import MODELS

    cfg = Config.fromfile(config)
    if 'model' not in cfg:
        raise KeyError(f'config "{config}" has no "model" entry')
    with DefaultScope.overwrite_default_scope('mmlogitkd'):
        return MODELS.build(cfg.model)


def convert_checkpoint(source: str,
                       output: str,
                       arch: str,
                       dataset: str,
                       converter: str,
                       config: Optional[str] = None,
                       trust_source: bool = False) -> ConversionReport:
    """Convert an original checkpoint into one for our ``arch`` config.

    Args:
        source (str): Original checkpoint file.
        output (str): Where to write the converted checkpoint.
        arch (str): Architecture name, a key of ``KEY_MAPPINGS[dataset]``.
        dataset (str): ``'cifar100'`` or ``'imagenet'``.
        converter (str): Name of the calling tool, stored in ``meta``.
        config (str, optional): Model config to convert for; defaults to
            ``configs/_base_/models/<dataset>/<arch>.py``.
        trust_source (bool): Allow full unpickling of ``source``.

    Returns:
        ConversionReport: output path, SHA-256 digests and notes.
    """
    if dataset not in KEY_MAPPINGS:
        raise ValueError(f'unknown dataset "{dataset}"; choose from '
                         f'{sorted(KEY_MAPPINGS)}')
    if arch not in KEY_MAPPINGS[dataset]:
        raise ValueError(f'unknown {dataset} architecture "{arch}"; choose '
                         f'from {sorted(KEY_MAPPINGS[dataset])}')
    if config is None:
        config = model_config_path(dataset, arch)
        config_name = osp.join('configs', '_base_', 'models', dataset,
                               f'{arch}.py')
    else:
        config_name = config
    checkpoint = load_checkpoint_file(source, trust_source)
    state_dict, location = extract_state_dict(checkpoint, source)
    state_dict, ignored = strip_wrapper_prefixes(state_dict)
    converted = map_state_dict(state_dict, KEY_MAPPINGS[dataset][arch])

    model = build_model_from_config(config)
    matched, filled = match_target(converted, model.state_dict(), source,
                                   config)
    # Redundant by construction, but it is the guarantee we promise.
    model.load_state_dict(matched, strict=True)

    source_sha256 = file_sha256(source)
    meta = {
        'arch': arch,
        'dataset': dataset,
        'config': config_name,
        'source': osp.basename(source),
        'source_sha256': source_sha256,
        'source_state_dict': location,
        'filled_keys': ', '.join(filled),
        'ignored_source_keys': str(len(ignored)),
        'converter': converter,
        'mmlogitkd_version': __version__,
    }
    output_dir = osp.dirname(osp.abspath(output))
    os.makedirs(output_dir, exist_ok=True)
    torch.save({'state_dict': matched, 'meta': meta}, output)
    return ConversionReport(
        output=output,
        output_sha256=file_sha256(output),
        source_sha256=source_sha256,
        num_tensors=len(matched),
        filled_keys=filled,
        ignored_source_keys=ignored)


def print_report(report: ConversionReport) -> None:
    """Print what the converter did, ending with the output's SHA-256."""
    print(f'converted {report.num_tensors} tensors')
    if report.filled_keys:
        print(f'filled {len(report.filled_keys)} missing BatchNorm '
              f'counters ({TOLERATED_MISSING_SUFFIX}) from the model')
    if report.ignored_source_keys:
        print(f'ignored {len(report.ignored_source_keys)} source keys '
              'outside module.student. (e.g. the teacher): '
              f'{report.ignored_source_keys[0]}, ...')
    print(f'source sha256 {report.source_sha256}')
    print(f'wrote {report.output}')
    print(f'sha256 {report.output_sha256}')


def converter_cli(dataset: str, converter: str, description: str,
                  arch_help: str, argv=None) -> ConversionReport:
    """The command line shared by the converter tools: ``SRC DST --arch
    NAME [--config PATH] [--trust-source]``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('src', help='original checkpoint (.pth)')
    parser.add_argument('dst', help='where to write the converted file')
    parser.add_argument(
        '--arch',
        required=True,
        choices=sorted(KEY_MAPPINGS[dataset]),
        help=arch_help)
    parser.add_argument(
        '--config',
        help='model config to convert for (default: '
        f'configs/_base_/models/{dataset}/<arch>.py)')
    parser.add_argument(
        '--trust-source',
        action='store_true',
        help='allow full unpickling of SRC; unpickling can run code hidden '
        'in the file, so only use it for files from a source you trust')
    args = parser.parse_args(argv)
    report = convert_checkpoint(
        args.src,
        args.dst,
        arch=args.arch,
        dataset=dataset,
        converter=converter,
        config=args.config,
        trust_source=args.trust_source)
    print_report(report)
    return report
