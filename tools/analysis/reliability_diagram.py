"""Reliability diagram of a trained student, its teacher, or both.

Runs the model(s) of CONFIG with the weights of CHECKPOINT over the config's
test dataloader (the val dataloader if there is none) and writes a PNG: per
confidence bin the accuracy (bars) against the diagonal of perfect
calibration, the confidence histogram below, and the ECE of each model in
the title (Guo et al., "On Calibration of Modern Neural Networks", ICML
2017).

CONFIG is either a plain MMPretrain classifier config (``--model student``
only) or a distillation config (``model.type='LogitDistiller'``), whose
runner checkpoints hold ``student.*`` and ``teacher.*`` weights. If the
checkpoint has no ``teacher.*`` weights, the teacher keeps the weights of
``model.teacher_ckpt`` loaded when the model is built.

Example::

    python tools/analysis/reliability_diagram.py \\
        configs/kd/kd_resnet32x4_resnet8x4_240e_cifar100.py \\
        work_dirs/kd/epoch_240.pth --model both --out reliability.png
"""
import argparse
import os.path as osp
from typing import Dict, List, Optional, Tuple

import mmlogitkd  # noqa: F401  (compat and registration first)
import torch
from mmengine.config import Config, DictAction
from mmengine.registry import MODELS, init_default_scope
from mmengine.runner import Runner, load_checkpoint
from torch import nn

from mmlogitkd.evaluation.calibration import (ReliabilityBins,
                                              confidence_and_correctness,
                                              reliability_bins)
from mmlogitkd.evaluation.plots import plot_reliability_diagram

#: Equal-width bins; the value of Guo et al. (2017) and of our evaluators.
DEFAULT_NUM_BINS = 15


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Reliability diagram (PNG) of a student and/or teacher.')
    parser.add_argument('config', help='config file of the run')
    parser.add_argument('checkpoint', help='checkpoint file to evaluate')
    parser.add_argument(
        '--model', choices=('student', 'teacher', 'both'), default='student',
        help='which network to evaluate; "teacher" and "both" need a '
        'distillation config (default: student)')
    parser.add_argument(
        '--out',
        help='PNG to write (default: reliability_<model>.png next to the '
        'checkpoint)')
    parser.add_argument(
        '--num-bins', type=int, default=DEFAULT_NUM_BINS,
        help=f'equal-width confidence bins (default: {DEFAULT_NUM_BINS})')
    parser.add_argument(
        '--device', default='cuda' if torch.cuda.is_available() else 'cpu',
        help='device to run the models on')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, e.g. '
        'test_dataloader.dataset.data_root=data/cifar100')
    return parser.parse_args(argv)


def select_networks(model: nn.Module, which: str) -> Dict[str, nn.Module]:
    """Name -> classifier to evaluate (``student``/``teacher``)."""
    is_distiller = hasattr(model, 'student') and hasattr(model, 'teacher')
    if not is_distiller:
        if which != 'student':
            raise ValueError(
                f'--model {which} needs a distillation config (a model with '
                f'a teacher); this config builds a {type(model).__name__}.')
        return {'student': model}
    names = ('student', 'teacher') if which == 'both' else (which, )
    return {name: getattr(model, name) for name in names}


def load_weights(model: nn.Module, checkpoint: str, which: str) -> None:
    """Load CHECKPOINT into the built model, checking it covers ``which``."""
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint "{checkpoint}" does not exist.')
    is_distiller = hasattr(model, 'student') and hasattr(model, 'teacher')
    if not is_distiller:
        load_checkpoint(model, checkpoint, map_location='cpu', strict=True)
        return
    # A distillation checkpoint may lack the teacher (the teacher then keeps
    # the weights of model.teacher_ckpt), so check coverage by prefix here.
    loaded = load_checkpoint(model, checkpoint, map_location='cpu',
                             strict=False)
    keys = loaded.get('state_dict', loaded).keys()
    for name in ('student', 'teacher'):
        if which not in (name, 'both'):
            continue
        if not any(k.startswith(f'{name}.') for k in keys):
            if name == 'teacher' and getattr(model, 'teacher_ckpt', None):
                continue  # weights came from model.teacher_ckpt at build
            raise KeyError(
                f'checkpoint "{checkpoint}" has no "{name}.*" weights. For a '
                'student-only (exported) checkpoint use the plain classifier '
                'config of the student.')


@torch.no_grad()
def collect_bins(model: nn.Module, networks: Dict[str, nn.Module],
                 dataloader, num_bins: int,
                 device: str) -> Dict[str, ReliabilityBins]:
    """Run every network over ``dataloader`` and bin its predictions."""
    model.eval()
    confidences = {name: [] for name in networks}
    correct = {name: [] for name in networks}
    for data_batch in dataloader:
        data = model.data_preprocessor(data_batch, False)
        inputs = data['inputs']
        if isinstance(inputs, (list, tuple)):  # multi-view pipeline
            inputs = inputs[0]
        labels = torch.cat([s.gt_label for s in data['data_samples']]).cpu()
        for name, network in networks.items():
            logits = network(inputs.to(device), mode='tensor')
            probs = logits.float().softmax(dim=1).cpu()
            conf, right = confidence_and_correctness(probs, labels)
            confidences[name].append(conf)
            correct[name].append(right)
    if not any(confidences.values()):
        raise ValueError('the dataloader yielded no data.')
    return {
        name: reliability_bins(
            torch.cat(confidences[name]), torch.cat(correct[name]), num_bins)
        for name in networks
    }


def main(argv: Optional[List[str]] = None
         ) -> Tuple[str, Dict[str, ReliabilityBins]]:
    """Write the diagram; return its path and the bins of every model."""
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))

    dataloader_cfg = cfg.get('test_dataloader') or cfg.get('val_dataloader')
    if not dataloader_cfg:
        raise KeyError(f'{args.config} has neither test_dataloader nor '
                       'val_dataloader.')
    model_cfg = cfg.model
    if cfg.get('data_preprocessor') is not None:
        # as mmengine's Runner does: a top-level data_preprocessor (our
        # dataset bases define one) applies unless the model sets its own
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    model = MODELS.build(model_cfg)
    networks = select_networks(model, args.model)
    load_weights(model, args.checkpoint, args.model)
    model.to(args.device)
    dataloader = Runner.build_dataloader(dataloader_cfg)
    bins = collect_bins(model, networks, dataloader, args.num_bins,
                        args.device)

    out = args.out or osp.join(
        osp.dirname(osp.abspath(args.checkpoint)),
        f'reliability_{args.model}.png')
    title = (f'{osp.splitext(osp.basename(args.config))[0]} — '
             f'{osp.basename(args.checkpoint)}, '
             f'{bins[next(iter(bins))].num_samples} images')
    plot_reliability_diagram(bins, out, title=title)
    for name, model_bins in bins.items():
        print(f'{name}: ECE {100 * model_bins.ece:.2f}% '
              f'({model_bins.num_samples} images, {args.num_bins} bins)')
    print(f'Wrote {out}')
    return out, bins


if __name__ == '__main__':
    main()
