"""One real training iteration (plus one validation batch) of zoo configs.

For every (method, dataset) one leaf is run through MMEngine's Runner, chosen
automatically so that together they cover every architecture family of the
zoo (CIFAR ResNet, CIFAR ResNet50, WRN, VGG, MobileNetV2, ShuffleNetV1/V2;
ImageNet ResNet and MobileNetV1): new methods or pairs are picked up without
editing this file. Only the data is changed (root, image count, batch size,
workers), never the model, the losses or the pipelines; the teacher is left
randomly initialised (``teacher_ckpt=None``).

* CIFAR-100: the ``tiny_cifar_root`` fixture (``cifar-100-python`` files).
* ImageNet: a tiny ImageNet-format folder tree with 64x64 JPEGs and
  ``meta/{train,val}.txt`` written here; the configs' own pipelines resize
  them to 224x224.
"""
import copy
import os
import os.path as osp
import re

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner
from PIL import Image

import mmlogitkd  # noqa: F401

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
METHOD_FOLDERS = ('kd', 'dkd', 'ls', 'mlkd', 'crld', 'ckd', 'aekt')
LEAF_RE = re.compile(
    r'^(?P<method>[a-z-]+)_(?P<pair>.+)_(?P<schedule>(?:coslr-)?\d+e)_'
    r'(?P<dataset>cifar100|in1k)\.py$')
TWO_VIEW_METHODS = {'mlkd', 'mlkd-ls', 'crld', 'crld-ls'}
BATCH = 2


def family(arch, dataset):
    for prefix in ('resnet50', 'resnet', 'wrn', 'vgg', 'mobilenetv2',
                   'shufflenetv1', 'shufflenetv2', 'mobilenet_v1'):
        if arch.startswith(prefix):
            if prefix == 'resnet50' and dataset == 'in1k':
                prefix = 'resnet'  # torchvision-style ResNet, any depth
            return f'{dataset}/{prefix}'
    raise ValueError(arch)


def leaf_families(path, dataset):
    """Families of a leaf's student and teacher, read from the text of its
    pair base (cheap: no config is parsed at collection time)."""
    with open(osp.join(REPO_ROOT, path)) as f:
        pair_base = re.search(r"'\.\./_base_/pairs/([\w.-]+)'", f.read())[1]
    with open(osp.join(REPO_ROOT, 'configs/_base_/pairs', pair_base)) as f:
        archs = re.findall(r"_base_/models/\w+/(\w+)\.py'", f.read())
    assert len(archs) == 2, (path, archs)
    return {family(arch, dataset) for arch in archs}


def choose_runs():
    """One leaf per (method, dataset), greedily covering every family."""
    groups = {}
    for folder in METHOD_FOLDERS:
        for name in sorted(os.listdir(osp.join(REPO_ROOT, 'configs',
                                               folder))):
            match = LEAF_RE.match(name)
            if match:
                key = (match['method'], match['dataset'])
                groups.setdefault(key, []).append(
                    osp.join('configs', folder, name))
    families = {path: leaf_families(path, key[1])
                for key, paths in groups.items() for path in paths}
    all_families = set().union(*families.values())
    covered, runs, pair_uses = set(), [], {}

    def pair_of(path):
        return LEAF_RE.match(osp.basename(path))['pair']

    for key in sorted(groups):
        # Most new families first, then the least-used pair (spreads the
        # runs over the zoo), then the name (deterministic).
        best = min(groups[key],
                   key=lambda p: (-len(families[p] - covered),
                                  pair_uses.get(pair_of(p), 0), p))
        runs.append(best)
        covered |= families[best]
        pair_uses[pair_of(best)] = pair_uses.get(pair_of(best), 0) + 1
    for path in sorted(families):  # any family still missing
        if families[path] - covered:
            runs.append(path)
            covered |= families[path]
    assert covered == all_families
    return runs


RUNS = choose_runs()


@pytest.fixture(scope='module')
def tiny_imagenet_root(tmp_path_factory):
    """``train/`` and ``val/`` with one 64x64 JPEG per class folder, and the
    ``meta/{train,val}.txt`` annotation files of MMPretrain's ImageNet."""
    root = str(tmp_path_factory.mktemp('tiny_imagenet'))
    rng = np.random.RandomState(0)
    os.makedirs(osp.join(root, 'meta'))
    for split, count in (('train', 4), ('val', 2)):
        lines = []
        for label in range(count):
            folder = f'n{label:08d}'
            os.makedirs(osp.join(root, split, folder), exist_ok=True)
            image = rng.randint(0, 256, size=(64, 64, 3), dtype=np.uint8)
            name = f'{folder}/{split}_{label}.JPEG'
            Image.fromarray(image).save(osp.join(root, split, name))
            lines.append(f'{name} {label}\n')
        with open(osp.join(root, 'meta', f'{split}.txt'), 'w') as f:
            f.writelines(lines)
    return root


@pytest.fixture(autouse=True)
def skip_init_log_bookkeeping(monkeypatch):
    """MMEngine recomputes every parameter's mean after each submodule's
    ``init_weights``, only to log where each initialisation came from:
    O(parameters x modules), seconds for a ResNet50 teacher. The weights are
    initialised exactly as before; only that log bookkeeping is skipped."""
    import mmengine.model.base_module as base_module
    import mmengine.model.weight_init as weight_init

    def no_bookkeeping(module, init_info):
        return None

    monkeypatch.setattr(base_module, 'update_init_info', no_bookkeeping)
    monkeypatch.setattr(weight_init, 'update_init_info', no_bookkeeping)


class RecordHook(Hook):
    """Snapshot the weights once initialised (``before_train`` runs after
    the runner's ``init_weights``), keep the outputs and learning rates of
    every train step."""

    def __init__(self):
        self.outputs, self.lrs = [], []
        self.student_before = self.teacher_before = None

    def before_train(self, runner):
        model = runner.model
        self.student_before = copy.deepcopy(model.student.state_dict())
        self.teacher_before = copy.deepcopy(model.teacher.state_dict())

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.outputs.append({k: torch.as_tensor(v).detach().item()
                             for k, v in outputs.items()})
        self.lrs.append(runner.optim_wrapper.get_lr()['lr'])


def tiny_data_cfg(path, data_root, work_dir):
    """The leaf with tiny data: one batch of BATCH images per loop."""
    cfg = Config.fromfile(osp.join(REPO_ROOT, path))
    cfg.work_dir = work_dir
    cfg.launcher = 'none'
    cfg.model.teacher_ckpt = None
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg[key]
        loader.batch_size = BATCH
        loader.num_workers = 0
        loader.persistent_workers = False
        loader.dataset.data_root = data_root
        loader.dataset.indices = BATCH
    cfg.train_cfg.max_epochs = 1
    cfg.default_hooks.checkpoint = None  # no 100 MB teacher files
    cfg.default_hooks.logger.interval = 1
    return cfg


@pytest.mark.parametrize('path', RUNS, ids=lambda p: osp.basename(p)[:-3])
def test_one_train_iteration(path, tiny_cifar_root, tiny_imagenet_root,
                             tmp_path):
    fields = LEAF_RE.match(osp.basename(path)).groupdict()
    data_root = tiny_cifar_root if fields['dataset'] == 'cifar100' \
        else tiny_imagenet_root
    cfg = tiny_data_cfg(path, data_root, str(tmp_path))
    expected_lr = cfg.optim_wrapper.optimizer.lr
    loss_names = set(cfg.model.distill_losses)

    runner = Runner.from_cfg(cfg)
    record = RecordHook()
    runner.register_hook(record, priority='LOWEST')
    model = runner.model
    runner.train()

    assert runner.iter == 1 and len(record.outputs) == 1
    outputs = record.outputs[0]
    assert {'loss', 'loss_ce'} | loss_names <= set(outputs), outputs
    for name, value in outputs.items():
        assert np.isfinite(value), (name, value)
    assert outputs['loss'] == pytest.approx(
        sum(v for k, v in outputs.items() if k.startswith('loss_')),
        rel=1e-5)
    # Epoch 1 trains at the config's base lr (step and cosine alike).
    assert record.lrs[0] == [pytest.approx(expected_lr)] * len(
        record.lrs[0])
    assert model.num_views == (2 if fields['method'] in TWO_VIEW_METHODS
                               else 1)

    # The student learned, the teacher did not move.
    student_after = model.student.state_dict()
    assert any(not torch.equal(record.student_before[k], student_after[k])
               for k in student_after)
    for key, value in model.teacher.state_dict().items():
        assert torch.equal(record.teacher_before[key], value), key

    if fields['method'] == 'aekt':
        head_params = {id(p) for p in model.distill_head.parameters()}
        groups = [g for g in runner.optim_wrapper.optimizer.param_groups
                  if any(id(p) in head_params for p in g['params'])]
        assert groups and all(g['weight_decay'] == 0 for g in groups)
        others = [g for g in runner.optim_wrapper.optimizer.param_groups
                  if not any(id(p) in head_params for p in g['params'])]
        assert any(g['weight_decay'] > 0 for g in others)
