"""One real training iteration of zoo configs.

For every (method, dataset) one leaf is trained for one iteration, chosen
automatically so that together they cover every architecture family of the
zoo (CIFAR ResNet, CIFAR ResNet50, WRN, VGG, MobileNetV2, ShuffleNetV1/V2;
ImageNet ResNet and MobileNetV1): the methods are those of
:data:`mmlogitkd.methods.METHODS`, so new methods or pairs are picked up
without editing this file. Only the data is changed, never the model, the
losses, the optimizer or the schedule; the teacher stays randomly initialised
(``teacher_ckpt=None``).

* CIFAR-100: the whole config through MMEngine's Runner (dataset, two-view
  pipeline, preprocessor, optimizer with its paramwise options, schedule,
  hooks, one validation batch) on the ``tiny_cifar_root`` fixture, with
  batch 2, one batch per loop, ``num_workers=0``.
* ImageNet: the leaf's model, preprocessor, optim wrapper and scheduler built
  from the config, and one ``train_step`` on a batch built in memory at
  64x64 (224x224 would cost ~10x the CPU time for no extra coverage). The
  ImageNet dataset side of the leaves (dataset type, split files, single- and
  two-view pipelines) is checked separately on a tiny ImageNet-format folder
  tree with 64x64 JPEGs.
"""
import os
import os.path as osp
import re

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.hooks import Hook
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmpretrain.structures import DataSample
from PIL import Image

import mmlogitkd  # noqa: F401
from mmlogitkd.methods import DATASETS as DATASET_KEYS
from mmlogitkd.methods import METHODS
from mmlogitkd.registry import DATASETS, MODELS, PARAM_SCHEDULERS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
METHOD_FOLDERS = tuple(dict.fromkeys(method.folder for method in METHODS))
LEAF_RE = re.compile(
    r'^(?P<method>' + '|'.join(re.escape(m.key) for m in METHODS) + r')_'
    r'(?P<pair>[a-z0-9_]+)_(?:\d+xb\d+-)?(?P<schedule>(?:coslr-)?\d+e)_'
    r'(?P<dataset>cifar100|in1k)\.py$')
TWO_VIEW_METHODS = {method.key for method in METHODS
                    if method.num_views == 2}
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


def leaf_groups():
    """Leaf paths by (method, dataset), from the folders of METHODS."""
    groups = {}
    for folder in METHOD_FOLDERS:
        for name in sorted(os.listdir(osp.join(REPO_ROOT, 'configs',
                                               folder))):
            match = LEAF_RE.match(name)
            if match:
                key = (match['method'], match['dataset'])
                groups.setdefault(key, []).append(
                    osp.join('configs', folder, name))
    return groups


def test_every_declared_method_gets_a_training_iteration():
    """Every (method, dataset) of METHODS has leaves, hence a run below; a
    leaf whose name is of no declared method fails too."""
    groups = leaf_groups()
    expected = {(method.key, dataset) for method in METHODS
                for dataset in DATASET_KEYS}
    assert set(groups) == expected, sorted(expected ^ set(groups))
    for folder in METHOD_FOLDERS:
        for name in os.listdir(osp.join(REPO_ROOT, 'configs', folder)):
            assert not name.endswith('.py') or LEAF_RE.match(name), \
                f'configs/{folder}/{name}: not a leaf of a declared method'
    assert {(LEAF_RE.match(osp.basename(p))['method'],
             LEAF_RE.match(osp.basename(p))['dataset'])
            for p in RUNS} == expected


def choose_runs():
    """One leaf per (method, dataset), greedily covering every family."""
    groups = leaf_groups()
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


def fingerprint(module, parameters_only=False):
    """Per-tensor float64 sums: any SGD step changes them, and they cost far
    less than a copy of a ResNet50. ``parameters_only`` leaves out buffers
    (a train-mode forward alone moves BN statistics)."""
    tensors = module.named_parameters() if parameters_only \
        else module.state_dict().items()
    return {key: value.detach().double().sum().item()
            for key, value in tensors}


class RecordHook(Hook):
    """Snapshot the weights once initialised (``before_train`` runs after
    the runner's ``init_weights``), keep the outputs and learning rates of
    every train step."""

    def __init__(self):
        self.outputs, self.lrs = [], []
        self.student_before = self.teacher_before = None

    def before_train(self, runner):
        self.student_before = fingerprint(runner.model.student, True)
        self.teacher_before = fingerprint(runner.model.teacher)

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


def check_step(path, outputs, lrs, model, student_before, teacher_before,
               optim_wrapper, cfg):
    """What one train step of a leaf must have done."""
    method = LEAF_RE.match(osp.basename(path))['method']
    loss_names = set(cfg.model.distill_losses)
    assert {'loss', 'loss_ce'} | loss_names <= set(outputs), outputs
    for name, value in outputs.items():
        assert np.isfinite(value), (name, value)
    assert outputs['loss'] == pytest.approx(
        sum(v for k, v in outputs.items() if k.startswith('loss_')),
        rel=1e-5)
    # Epoch 1 trains at the config's base lr (step and cosine alike).
    assert lrs == [pytest.approx(cfg.optim_wrapper.optimizer.lr)] * len(lrs)
    assert model.num_views == (2 if method in TWO_VIEW_METHODS else 1)

    # The student's weights moved; the teacher's did not, buffers included
    # (eval mode keeps its BN statistics fixed).
    assert fingerprint(model.student, True) != student_before
    assert fingerprint(model.teacher) == teacher_before

    groups = optim_wrapper.optimizer.param_groups
    assert all(g['weight_decay'] == cfg.optim_wrapper.optimizer.weight_decay
               for g in groups)


CIFAR_RUNS = [path for path in RUNS if path.endswith('_cifar100.py')]
IMAGENET_RUNS = [path for path in RUNS if path.endswith('_in1k.py')]


@pytest.mark.parametrize('path', CIFAR_RUNS,
                         ids=lambda p: osp.basename(p)[:-3])
def test_cifar_train_iteration_through_the_runner(path, tiny_cifar_root,
                                                  tmp_path):
    cfg = tiny_data_cfg(path, tiny_cifar_root, str(tmp_path))
    runner = Runner.from_cfg(cfg)
    record = RecordHook()
    runner.register_hook(record, priority='LOWEST')
    runner.train()
    assert runner.iter == 1 and len(record.outputs) == 1
    check_step(path, record.outputs[0], record.lrs[0], runner.model,
               record.student_before, record.teacher_before,
               runner.optim_wrapper, cfg)


@pytest.mark.parametrize('path', IMAGENET_RUNS,
                         ids=lambda p: osp.basename(p)[:-3])
def test_imagenet_train_step_in_memory(path):
    init_default_scope('mmlogitkd')
    cfg = Config.fromfile(osp.join(REPO_ROOT, path))
    model_cfg = cfg.model.to_dict()
    model_cfg['teacher_ckpt'] = None
    model_cfg['data_preprocessor'] = cfg.data_preprocessor.to_dict()
    model = MODELS.build(model_cfg)
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    PARAM_SCHEDULERS.build(
        dict(cfg.param_scheduler, optimizer=optim_wrapper))

    generator = torch.Generator().manual_seed(0)

    def images():
        return [torch.randint(0, 256, (3, 64, 64), dtype=torch.uint8,
                              generator=generator) for _ in range(BATCH)]

    # Collated MultiView output holds one list of images per view.
    inputs = [images() for _ in range(model.num_views)] \
        if model.num_views > 1 else images()
    data = dict(inputs=inputs,
                data_samples=[DataSample().set_gt_label(label)
                              for label in range(BATCH)])
    model.train()
    student_before = fingerprint(model.student, True)
    teacher_before = fingerprint(model.teacher)
    lrs = optim_wrapper.get_lr()['lr']
    log_vars = model.train_step(data, optim_wrapper)
    outputs = {k: torch.as_tensor(v).item() for k, v in log_vars.items()}
    check_step(path, outputs, lrs, model, student_before, teacher_before,
               optim_wrapper, cfg)


@pytest.mark.parametrize('method', ['kd', 'crld'])
def test_imagenet_leaf_data_side(method, tiny_imagenet_root):
    """The dataset, split files and pipelines an ImageNet leaf inherits
    (single view for KD, two views for CRLD) load the ImageNet folder format
    and reach the preprocessor as 224x224 batches, one per view."""
    init_default_scope('mmlogitkd')
    cfg = Config.fromfile(osp.join(
        REPO_ROOT,
        f'configs/{method}/{method}_resnet34_resnet18_100e_in1k.py'))
    preprocessor = MODELS.build(cfg.data_preprocessor)
    for key, training in (('train_dataloader', True),
                          ('val_dataloader', False)):
        dataset_cfg = cfg[key].dataset
        dataset_cfg.data_root = tiny_imagenet_root
        dataset = DATASETS.build(dataset_cfg)
        assert len(dataset) == (4 if training else 2)
        batch = preprocessor(
            pseudo_collate([dataset[0], dataset[1]]), training)
        views = batch['inputs'] if isinstance(batch['inputs'], list) \
            else [batch['inputs']]
        assert len(views) == (2 if training and method == 'crld' else 1)
        for view in views:
            assert view.shape == (2, 3, 224, 224)
        labels = [int(s.gt_label) for s in batch['data_samples']]
        assert labels == [0, 1]
