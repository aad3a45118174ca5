"""The zoo's generator, schedules, docs, model index and packaging.

* Re-running ``tools/misc/generate_zoo_configs.py`` reproduces the committed
  tree byte for byte (and is deterministic).
* The new schedule bases give the per-epoch learning rates of METHODS.md §4
  when run through MMEngine's own schedulers.
* Every leaf has a metafile entry, the model index imports every metafile,
  published numbers equal METHODS.md §15 and nothing else carries a result.
* The configs ship inside the package (``.mim``) and are usable from another
  project through ``_base_ = 'mmlogitkd::...'``.
"""
import glob
import importlib.util
import math
import os.path as osp

import pytest
import torch
import yaml
from mmengine.config import Config
from mmengine.optim import CosineAnnealingLR, MultiStepLR
import mmengine.utils

import mmlogitkd  # noqa: F401
from mmlogitkd.models.builder import load_config_file

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
GENERATOR = osp.join(REPO_ROOT, 'tools', 'misc', 'generate_zoo_configs.py')
METHOD_FOLDERS = ('kd', 'dkd', 'ls', 'mlkd', 'crld', 'ckd', 'aekt')


def load_generator():
    spec = importlib.util.spec_from_file_location('generate_zoo_configs',
                                                  GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def leaf_paths():
    paths = []
    for folder in METHOD_FOLDERS:
        paths += sorted(glob.glob(osp.join(REPO_ROOT, 'configs', folder,
                                           '*.py')))
    return [osp.relpath(p, REPO_ROOT) for p in paths]


# ---------------------------------------------------------------------------
# Generator
# ---------------------------------------------------------------------------
def test_generator_reproduces_the_committed_tree():
    generator = load_generator()
    problems = generator.check(REPO_ROOT)
    assert problems == [], (
        'generated configs are out of date or edited by hand; run python '
        f'tools/misc/generate_zoo_configs.py: {problems[:10]}')


def test_generator_is_deterministic_and_detects_edits(tmp_path):
    generator = load_generator()
    assert generator.build_tree() == generator.build_tree()
    root = str(tmp_path)
    generator.write(root)
    assert generator.check(root) == []
    # An edited, a missing and a stale file are all reported.
    edited = osp.join(root, 'configs', 'kd',
                      'kd_resnet56_resnet20_240e_cifar100.py')
    with open(edited, 'a') as f:
        f.write('# hand edit\n')
    missing = osp.join(root, 'configs', 'dkd', 'metafile.yml')
    __import__('os').remove(missing)
    stale = osp.join(root, 'configs', 'ckd', 'old_config.py')
    open(stale, 'w').close()
    problems = generator.check(root)
    assert problems == [
        'missing: configs/dkd/metafile.yml',
        'differs: configs/kd/kd_resnet56_resnet20_240e_cifar100.py',
        'stale: configs/ckd/old_config.py',
    ]
    generator.write(root)
    assert generator.check(root) == []
    assert not osp.exists(stale)


def test_generator_never_writes_the_lead_schedules():
    generator = load_generator()
    tree = generator.build_tree()
    for name in ('cifar100_sgd_240e.py', 'imagenet_sgd_100e.py'):
        assert f'configs/_base_/schedules/{name}' not in tree


def test_generated_python_is_short_lined():
    for path in leaf_paths() + glob.glob(
            osp.join(REPO_ROOT, 'configs/_base_/*/*.py')):
        with open(osp.join(REPO_ROOT, path)) as f:
            for number, line in enumerate(f, 1):
                assert len(line.rstrip('\n')) <= 79, f'{path}:{number}'


# ---------------------------------------------------------------------------
# Schedules: per-epoch learning rates through MMEngine's schedulers
# ---------------------------------------------------------------------------
def epoch_lrs(schedule_file, base_lr):
    """The lr of every epoch (1-indexed list position + 1) as MMEngine's
    EpochBasedTrainLoop would set it: scheduler.step() after each epoch."""
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs/_base_/schedules', schedule_file))
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=base_lr)
    scheduler_cfg = dict(cfg.param_scheduler)
    kind = scheduler_cfg.pop('type')
    cls = {'MultiStepLR': MultiStepLR, 'CosineAnnealingLR':
           CosineAnnealingLR}[kind]
    scheduler = cls(optimizer, **scheduler_cfg)
    lrs = []
    for _ in range(cfg.train_cfg.max_epochs):
        lrs.append(optimizer.param_groups[0]['lr'])
        optimizer.step()
        scheduler.step()
    return cfg, lrs


@pytest.mark.parametrize('schedule_file,epochs', [
    ('cifar100_sgd_480e.py', 480), ('cifar100_sgd_960e.py', 960)])
def test_mlkd_long_schedules_keep_the_240e_stages(schedule_file, epochs):
    """METHODS §4: lr(e) = base 0.1^k, k = #milestones m with e > m, the
    stages kept at 150/180/210, so epochs 211..E run at 0.001 x base."""
    cfg, lrs = epoch_lrs(schedule_file, base_lr=0.025)
    assert len(lrs) == epochs
    assert cfg.optim_wrapper.optimizer.weight_decay == 5e-4
    for epoch, lr in enumerate(lrs, 1):
        k = sum(epoch > m for m in (150, 180, 210))
        assert lr == pytest.approx(0.025 * 0.1**k, rel=1e-9), epoch
    assert lrs[210] == pytest.approx(0.025e-3) and lrs[-1] == lrs[210]


@pytest.mark.parametrize('schedule_file,epochs,base_lr,wd', [
    ('cifar100_sgd_coslr_480e.py', 480, 0.05, 5e-4),
    ('imagenet_sgd_coslr_200e.py', 200, 0.2, 1e-4)])
def test_ckd_cosine_schedules(schedule_file, epochs, base_lr, wd):
    """METHODS §4: epoch e trains at base (1 + cos(pi (e-1)/E)) / 2,
    epoch 1 at the base lr (CosineAnnealingLR, eta_min 0, per epoch)."""
    cfg, lrs = epoch_lrs(schedule_file, base_lr=base_lr)
    assert cfg.optim_wrapper.optimizer.lr == base_lr
    assert cfg.optim_wrapper.optimizer.weight_decay == wd
    assert len(lrs) == epochs
    for epoch, lr in enumerate(lrs, 1):
        expected = base_lr * (1 + math.cos(math.pi * (epoch - 1) / epochs)) / 2
        assert lr == pytest.approx(expected, rel=1e-6, abs=1e-12), epoch
    assert lrs[0] == base_lr and lrs[-1] > 0


# ---------------------------------------------------------------------------
# Metafiles, model index, READMEs
# ---------------------------------------------------------------------------
def load_yaml(path):
    with open(osp.join(REPO_ROOT, path)) as f:
        return yaml.safe_load(f)


def all_models():
    index = load_yaml('model-index.yml')
    models = []
    for metafile in index['Import']:
        models += load_yaml(metafile)['Models']
    return index, models


def test_model_index_imports_every_metafile():
    index, models = all_models()
    assert sorted(index['Import']) == sorted(
        f'configs/{folder}/metafile.yml' for folder in METHOD_FOLDERS)
    configs = sorted(model['Config'] for model in models)
    assert configs == sorted(leaf_paths())
    names = [model['Name'] for model in models]
    assert len(names) == len(set(names))
    for model in models:
        assert model['Name'] == osp.basename(model['Config'])[:-3]
        assert osp.isfile(osp.join(REPO_ROOT, model['Config']))
        assert {'Name', 'In Collection', 'Config', 'Metadata'} <= set(model)


def test_model_index_loads_with_modelindex():
    modelindex = pytest.importorskip('modelindex')
    index = modelindex.load(osp.join(REPO_ROOT, 'model-index.yml'))
    assert len(index.models) == len(leaf_paths())
    collections = {c.name for c in index.collections}
    assert collections == {'KD', 'DKD', 'KD+LS', 'DKD+LS', 'MLKD+LS',
                           'CRLD+LS', 'MLKD', 'CRLD', 'CKD', 'AEKT'}


# METHODS §15, written out here: (config name) -> published top-1.
PUBLISHED = {
    'kd_resnet32x4_resnet8x4_240e_cifar100': 73.33,
    'kd_resnet50_vgg8_240e_cifar100': 73.81,
    'kd_wrn_40_2_shufflenetv1_240e_cifar100': 74.83,
    'kd_resnet34_resnet18_100e_in1k': 71.03,
    'kd_resnet50_mobilenet_v1_100e_in1k': 70.50,
    'dkd_wrn_40_2_wrn_16_2_240e_cifar100': 76.23,
    'dkd_resnet32x4_shufflenetv2_240e_cifar100': 77.07,
    'dkd_resnet50_mobilenet_v1_100e_in1k': 72.05,
    'kd-ls_resnet50_mobilenetv2_240e_cifar100': 69.02,
    'kd-ls_resnet34_resnet18_100e_in1k': 71.45,
    'dkd-ls_wrn_40_2_resnet8x4_240e_cifar100': 76.75,
    'mlkd-ls_resnet32x4_shufflenetv2_960e_cifar100': 78.76,
    'mlkd-ls_vgg13_mobilenetv2_480e_cifar100': 70.94,
    'mlkd_resnet32x4_resnet8x4_240e_cifar100': 77.08,
    'mlkd_vgg13_mobilenetv2_480e_cifar100': 70.57,
}


def test_published_results_match_methods_and_are_marked():
    _, models = all_models()
    by_name = {model['Name']: model for model in models}
    for name, top1 in PUBLISHED.items():
        results = by_name[name]['Results']
        assert len(results) == 1
        assert results[0]['Metrics'] == {'Top 1 Accuracy (published)': top1}
        assert results[0]['Published']
    # No published number for CRLD, CKD, AEKT, CRLD+LS (METHODS §15.5), nor
    # for a non-recipe schedule; every result is marked as published.
    for model in models:
        for result in model.get('Results', []):
            assert set(result['Metrics']) == {'Top 1 Accuracy (published)'}
            assert result['Published']
        name = model['Name']
        if name.split('_')[0] in ('crld', 'ckd', 'aekt', 'crld-ls'):
            assert 'Results' not in model, name
    assert 'Results' not in by_name['mlkd-ls_vgg13_vgg8_240e_cifar100']
    assert 'Results' not in by_name['mlkd_resnet32x4_resnet8x4_480e_cifar100']


@pytest.mark.parametrize('folder', METHOD_FOLDERS)
def test_readme_lists_every_config_and_leaves_ours_empty(folder):
    with open(osp.join(REPO_ROOT, 'configs', folder, 'README.md')) as f:
        text = f.read()
    for path in leaf_paths():
        if path.split('/')[1] == folder:
            assert f'(./{osp.basename(path)})' in text, path
    assert 'Paper: [' in text
    rows = [line for line in text.splitlines()
            if line.startswith('| ') and '[config]' in line]
    assert rows
    for row in rows:
        # The two "ours" cells stay empty until a run fills them.
        assert row.endswith('| | |'), row
    if folder in ('crld', 'ckd', 'aekt'):
        assert 'No ' in text and 'results table' in text


# ---------------------------------------------------------------------------
# Packaging (.mim) and use from another project
# ---------------------------------------------------------------------------
LEAF = 'crld/crld_resnet32x4_resnet8x4_240e_cifar100.py'


def test_configs_ship_in_the_package():
    # Looked up at call time: mmlogitkd.compat patches it for editable
    # installs.
    package = mmengine.utils.get_installed_path('mmlogitkd')
    path = osp.join(package, '.mim', 'configs', LEAF)
    assert osp.isfile(path)
    cfg = load_config_file(f'mmlogitkd::{LEAF}')
    assert cfg.model.distill_losses.loss_crld.type == 'CRLDLoss'


def test_model_index_ships_in_the_package():
    # Looked up at call time: mmlogitkd.compat patches it for editable
    # installs.
    package = mmengine.utils.get_installed_path('mmlogitkd')
    assert osp.isfile(osp.join(package, '.mim', 'model-index.yml')), (
        'mmlogitkd/.mim/model-index.yml is missing: re-run the editable '
        'install (setup.py links it) now that model-index.yml exists')


def test_base_reference_from_another_project(tmp_path):
    """The issue's use: ``_base_ = 'mmlogitkd::<leaf>'`` in a config of
    another OpenMMLab project resolves through ``.mim`` and keeps every
    relative base of the leaf working."""
    user_cfg = tmp_path / 'user_config.py'
    user_cfg.write_text(
        "custom_imports = dict(imports=['mmlogitkd'], "
        'allow_failed_imports=False)\n'
        f"_base_ = 'mmlogitkd::{LEAF}'\n"
        'train_cfg = dict(max_epochs=1)\n')
    cfg = Config.fromfile(str(user_cfg))
    assert cfg.model.type == 'LogitDistiller'
    assert cfg.train_cfg.max_epochs == 1
    assert cfg.model.teacher_ckpt == 'checkpoints/cifar100/resnet32x4.pth'
    assert cfg.model.distill_losses.loss_crld.type == 'CRLDLoss'
    from mmlogitkd.utils.config_checks import training_views
    assert training_views(cfg)[0] == 2


def test_import_registers_the_config_package():
    """``import mmlogitkd`` adds the package to MMEngine 0.10.7's
    ``MODULE2PACKAGE``, without which ``_base_ = 'mmlogitkd::...'`` raises
    "mmengine does not support to load mmlogitkd config"."""
    from mmengine.config import utils as config_utils
    assert config_utils.MODULE2PACKAGE.get('mmlogitkd') == 'mmlogitkd'
