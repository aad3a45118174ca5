"""How a classifier behaves on the training views of the distillation
methods: its accuracy on clean, weak-view and strong-view test images, its
confidence on weak-view training images, and where its errors fall.

For a teacher this answers the questions that decide whether the two-view
methods (CRLD, MLKD) and CRLD's confidence gate can work on a dataset:

* strong/clean ratio: the share of its clean test accuracy the classifier
  keeps on strong views (crop + flip + FixMatch RandAugment + Cutout);
* confidence on weak-view training images: the share above CRLD's 0.9
  threshold and the mean max-probability;
* within-superclass error share: how many mistakes stay in the right
  superclass (CIFAR-100 coarse labels), i.e. whether the soft labels carry
  similarity structure.

The views are drawn by the batched transforms of
``mmlogitkd.models.data_preprocessors`` with a fixed key, so the numbers are
reproducible. Example::

    python tools/analysis/view_robustness.py CONFIG CHECKPOINT \\
        [--model student|teacher] [--out result.json]
"""
import argparse
import json
import os.path as osp
import pickle
import sys
from typing import Dict, List, Optional

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
import mmlogitkd  # noqa: E402,F401  (compat first)
import numpy as np  # noqa: E402
import torch  # noqa: E402
from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402

from mmlogitkd.checkpoint import (find_state_dict,  # noqa: E402
                                  load_checkpoint_file, select_prefix)
from mmlogitkd.models.data_preprocessors import (  # noqa: E402
    BatchRandAugmentFixMatch, BatchRandomCrop, BatchRandomFlip, KeyedRandom)
from mmlogitkd.registry import DATASETS, MODELS  # noqa: E402

#: The key of the views drawn here (any fixed numbers; not a training seed).
VIEW_SEED, VIEW_EPOCH = 1234, 0
#: CRLD's weak-view confidence threshold (docs/methods/crld.md).
CONFIDENT = 0.9


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='the run\'s config')
    parser.add_argument('checkpoint', help='a checkpoint of that run')
    parser.add_argument(
        '--model', choices=('student', 'teacher'), default='student',
        help='for a distillation config: which network (default: student)')
    parser.add_argument('--batch-size', type=int, default=256)
    parser.add_argument('--out', help='write the result as JSON')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def build_network(cfg: Config, checkpoint: str, which: str):
    """The classifier to evaluate, strictly loaded from ``checkpoint``."""
    init_default_scope(cfg.get('default_scope', 'mmlogitkd'))
    model_cfg = cfg.model.copy()
    distiller = model_cfg.get('type') == 'LogitDistiller'
    if distiller:
        model_cfg.teacher_ckpt = None  # the checkpoint holds the teacher
        model_cfg.pop('teacher_cache', None)
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    model = MODELS.build(model_cfg)
    state, _ = find_state_dict(load_checkpoint_file(checkpoint),
                               f'"{checkpoint}"')
    if distiller:
        network = getattr(model, which)
        network.load_state_dict(select_prefix(state, f'{which}.'),
                                strict=True)
    else:
        network = model
        network.load_state_dict(state, strict=True)
    preprocessor = model.data_preprocessor
    return network.eval(), preprocessor


def raw_split(cfg: Config, split: str):
    """The decoded images (uint8 ``[N, 3, H, W]``, channel order of the
    dataset) and labels of a split, through the config's dataset."""
    loader = cfg.train_dataloader if split == 'train' else \
        cfg.get('test_dataloader') or cfg.val_dataloader
    dataset_cfg = loader.dataset.copy()
    dataset_cfg.pipeline = [dict(type='PackInputs')]
    dataset = DATASETS.build(dataset_cfg)
    images, labels = [], []
    for index in range(len(dataset)):
        sample = dataset[index]
        images.append(sample['inputs'])
        labels.append(int(sample['data_samples'].gt_label))
    return torch.stack(images), torch.tensor(labels), dataset_cfg


def coarse_labels(dataset_cfg, split: str) -> Optional[np.ndarray]:
    """CIFAR-100 coarse labels of a split, read from its pickle file."""
    root = dataset_cfg.get('data_root')
    if not root:
        return None
    path = osp.join(root, 'cifar-100-python', 'train' if split == 'train'
                    else 'test')
    if not osp.isfile(path):
        return None
    with open(path, 'rb') as f:
        content = pickle.load(f, encoding='latin1')
    coarse = content.get('coarse_labels')
    return None if coarse is None else np.asarray(coarse)


VIEWS = {
    'clean': [],
    'weak': [BatchRandomCrop(32, 4), BatchRandomFlip(0.5)],
    'strong': [BatchRandomCrop(32, 4), BatchRandomFlip(0.5),
               BatchRandAugmentFixMatch()],
}


@torch.no_grad()
def probabilities(network, preprocessor, images: torch.Tensor,
                  view: str, batch_size: int) -> torch.Tensor:
    """Softmax outputs of ``network`` on ``view`` of every image."""
    mean, std = preprocessor.mean, preprocessor.std
    outputs: List[torch.Tensor] = []
    for start in range(0, len(images), batch_size):
        batch = images[start:start + batch_size].float()
        rng = KeyedRandom(VIEW_SEED, VIEW_EPOCH,
                          range(start, start + len(batch)),
                          list(VIEWS).index(view))
        for transform in VIEWS[view]:
            batch = transform(batch, rng)
        if getattr(preprocessor, 'to_rgb', False):
            batch = batch.flip(1)
        batch = (batch - mean) / std
        outputs.append(network(batch, mode='tensor').softmax(1))
    return torch.cat(outputs)


def summary(probs: torch.Tensor, labels: torch.Tensor,
            coarse: Optional[np.ndarray]) -> Dict[str, float]:
    predicted = probs.argmax(1)
    correct = predicted == labels
    confidence = probs.max(1).values
    result = dict(top1=100 * correct.float().mean().item(),
                  mean_max_prob=confidence.mean().item(),
                  share_confident=100 * (confidence > CONFIDENT)
                  .float().mean().item())
    if coarse is not None:
        fine_to_coarse = np.zeros(probs.shape[1], dtype=np.int64)
        fine_to_coarse[labels.numpy()] = coarse
        wrong = (~correct).numpy()
        same = fine_to_coarse[predicted.numpy()] == coarse
        result['errors_within_superclass'] = (
            100 * float(same[wrong].mean()) if wrong.any() else None)
        result['superclass_top1'] = 100 * float(same.mean())
    return result


def markdown(result: dict) -> str:
    lines = ['| images | top-1 (%) | mean max-prob | share > 0.9 (%) | '
             'errors within superclass (%) |',
             '|---|---:|---:|---:|---:|']
    for name, row in result['views'].items():
        within = row.get('errors_within_superclass')
        lines.append(
            f'| {name} | {row["top1"]:.2f} | {row["mean_max_prob"]:.3f} | '
            f'{row["share_confident"]:.1f} | '
            f'{"–" if within is None else f"{within:.1f}"} |')
    ratio = result['strong_clean_ratio']
    lines.append('\nstrong/clean ratio on test images: ' +
                 ('–' if ratio is None else f'{ratio:.3f}'))
    return '\n'.join(lines)


def evaluate(config: str, checkpoint: str, which: str = 'student',
             batch_size: int = 256, cfg_options=None) -> dict:
    """The numbers of this tool as a dict (see the module docstring)."""
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    network, preprocessor = build_network(cfg, checkpoint, which)
    views = {}
    for split, view in (('test', 'clean'), ('test', 'weak'),
                        ('test', 'strong'), ('train', 'weak')):
        images, labels, dataset_cfg = raw_split(cfg, split)
        probs = probabilities(network, preprocessor, images, view,
                              batch_size)
        views[f'{split} {view}'] = summary(
            probs, labels, coarse_labels(dataset_cfg, split))
    clean = views['test clean']['top1']
    return dict(
        config=config, checkpoint=checkpoint, model=which, views=views,
        strong_clean_ratio=views['test strong']['top1'] / clean
        if clean else None)


def main(argv=None) -> dict:
    args = parse_args(argv)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    result = evaluate(args.config, args.checkpoint, args.model,
                      args.batch_size, args.cfg_options)
    print(markdown(result))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == '__main__':
    main()
