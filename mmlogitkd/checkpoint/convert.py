"""Convert checkpoints of the original code bases into mmlogitkd models.

Converting is: find the state dict in the file, strip ``DataParallel`` /
distiller prefixes, map the keys (:mod:`mmlogitkd.models.backbones
.key_mappings`), and check the result against the model built from our
config, key by key and shape by shape. The output holds only tensors and
strings (``{'state_dict': ..., 'meta': ...}``) so it loads with
``torch.load(weights_only=True)``.

Used by ``tools/model_converters/repdistiller2mmpretrain.py`` and
``tools/model_converters/torchvision2mmpretrain.py``.
"""
import argparse
import os.path as osp
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import List, Mapping, Optional, Tuple

import torch.nn as nn

from mmlogitkd.models.backbones.key_mappings import KEY_MAPPINGS, KeyMapping
from .loading import (UntrustedCheckpointError, file_sha256,
                      load_checkpoint_file)
from .saving import save_checkpoint
from .state_dict import (check_state_dict, find_state_dict,
                         strip_wrapper_prefixes)

#: Keys the original code bases may lack: files written by PyTorch < 0.4.1
#: have no BatchNorm ``num_batches_tracked``. It only matters for
#: ``momentum=None`` BN, so the model's own (zero) counter is used.
TOLERATED_MISSING_SUFFIX = 'num_batches_tracked'


@dataclass
class ConversionReport:
    """What :func:`convert_checkpoint` did, for the CLI to print."""
    output: str
    output_sha256: str
    source_sha256: str
    num_tensors: int
    filled_keys: List[str] = field(default_factory=list)
    ignored_source_keys: List[str] = field(default_factory=list)


def load_source(path: str, trust_source: bool = False):
    """Load the original checkpoint ``path`` on the CPU.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        UntrustedCheckpointError: the file needs full unpickling and
            ``trust_source`` is False.
    """
    try:
        return load_checkpoint_file(path, map_location='cpu',
                                    allow_unsafe=trust_source)
    except UntrustedCheckpointError as error:
        raise UntrustedCheckpointError(
            f'Refusing to convert "{path}": loading it with '
            'weights_only=True failed because it pickles objects other than '
            'tensors and plain containers, and unpickling such objects can '
            'run arbitrary code hidden in the file. Pass --trust-source only '
            'if you trust where the file comes from; the converted output '
            'will then hold only tensors and strings.') from error


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
    check_state_dict(
        converted, target, f'"{source}"', f'the model of "{config}"',
        'Check that --arch names the architecture the file was trained '
        'with.', tolerated_missing=(TOLERATED_MISSING_SUFFIX, ))
    matched, filled = OrderedDict(), []
    for key, reference in target.items():
        if key in converted:
            matched[key] = converted[key].detach().to(
                dtype=reference.dtype).clone()
        else:
            matched[key] = reference.detach().clone()
            filled.append(key)
    return matched, filled


def model_config(dataset: str, arch: str) -> str:
    """``mmlogitkd::_base_/models/<dataset>/<arch>.py`` (shipped in the
    package's ``.mim``)."""
    if arch not in KEY_MAPPINGS.get(dataset, {}):
        raise ValueError(
            f'unknown {dataset} architecture "{arch}"; choose from '
            f'{sorted(KEY_MAPPINGS.get(dataset, {}))}')
    return f'mmlogitkd::_base_/models/{dataset}/{arch}.py'


def build_model_from_config(config: str) -> nn.Module:
    """Build ``cfg.model`` of ``config`` (a path or ``mmlogitkd::...``) in
    the ``mmlogitkd`` scope."""
    from mmengine.registry import DefaultScope

    from mmlogitkd.models.builder import load_config_file
    from mmlogitkd.registry import MODELS

    cfg = load_config_file(config)
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
                       trust_source: bool = False,
                       overwrite: bool = False) -> ConversionReport:
    """Convert an original checkpoint into one for our ``arch`` config.

    Args:
        source (str): Original checkpoint file.
        output (str): Where to write the converted checkpoint.
        arch (str): Architecture name, a key of ``KEY_MAPPINGS[dataset]``.
        dataset (str): ``'cifar100'`` or ``'imagenet'``.
        converter (str): Name of the calling tool, stored in ``meta``.
        config (str, optional): Model config to convert for; defaults to
            ``mmlogitkd::_base_/models/<dataset>/<arch>.py``.
        trust_source (bool): Allow full unpickling of ``source``.
        overwrite (bool): Replace an existing ``output``.

    Returns:
        ConversionReport: output path, SHA-256 digests and notes.
    """
    from mmlogitkd.version import __version__
    if dataset not in KEY_MAPPINGS:
        raise ValueError(f'unknown dataset "{dataset}"; choose from '
                         f'{sorted(KEY_MAPPINGS)}')
    config = config or model_config(dataset, arch)
    if arch not in KEY_MAPPINGS[dataset]:
        raise ValueError(f'unknown {dataset} architecture "{arch}"; choose '
                         f'from {sorted(KEY_MAPPINGS[dataset])}')
    checkpoint = load_source(source, trust_source)
    state_dict, location = find_state_dict(checkpoint, f'"{source}"')
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
        'config': config,
        'source': osp.basename(source),
        'source_sha256': source_sha256,
        'source_state_dict': location,
        'filled_keys': ', '.join(filled),
        'ignored_source_keys': str(len(ignored)),
        'converter': converter,
        'mmlogitkd_version': __version__,
    }
    save_checkpoint({'state_dict': matched, 'meta': meta}, output,
                    overwrite=overwrite, source=source)
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


def converter_parser(dataset: str, description: str,
                     arch_help: str) -> argparse.ArgumentParser:
    """The command line shared by the converter tools: ``SRC DST --arch
    NAME [--config PATH] [--trust-source] [--force]``."""
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
        f'mmlogitkd::_base_/models/{dataset}/<arch>.py)')
    parser.add_argument(
        '--trust-source',
        action='store_true',
        help='allow full unpickling of SRC; unpickling can run code hidden '
        'in the file, so only use it for files from a source you trust')
    parser.add_argument(
        '--force', action='store_true', help='overwrite DST if it exists')
    return parser


def converter_main(dataset: str, converter: str, description: str,
                   arch_help: str, argv=None) -> ConversionReport:
    """Parse the converter command line, convert, print the report."""
    args = converter_parser(dataset, description, arch_help).parse_args(argv)
    report = convert_checkpoint(
        args.src,
        args.dst,
        arch=args.arch,
        dataset=dataset,
        converter=converter,
        config=args.config,
        trust_source=args.trust_source,
        overwrite=args.force)
    print_report(report)
    return report
