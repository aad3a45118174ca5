"""Shared pytest fixtures and helpers: tiny data written in the CIFAR-100
file format, and running the tools as a user would (subprocesses)."""
import glob
import json
import os
import os.path as osp
import pickle
import subprocess
import sys

import numpy as np
import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = osp.join(REPO_ROOT, 'tests', 'data', 'configs')
TRAIN = osp.join(REPO_ROOT, 'tools', 'train.py')


def run_tool(args, cwd, expect_ok=True):
    """Run ``python ARGS`` in ``cwd``; fail with its stderr on error."""
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    result = subprocess.run([sys.executable] + args, cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=600)
    if expect_ok and result.returncode != 0:
        raise AssertionError(f'{args} failed:\n{result.stderr[-4000:]}')
    return result


def scalars(work_dir):
    """Every line of a run's ``vis_data/scalars.json`` files."""
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                      'scalars.json')))
    lines = []
    for path in files:
        with open(path) as f:
            lines += [json.loads(line) for line in f]
    return lines


def data_options(root):
    """--cfg-options that point every data loader at ``root``."""
    return [f'{name}.dataset.data_root={root}'
            for name in ('train_dataloader', 'val_dataloader',
                         'test_dataloader')]


def write_tiny_cifar100(root: str, train_per_class: int = 2,
                        test_per_class: int = 1, seed: int = 0) -> str:
    """Write ``root/cifar-100-python/{train,test,meta}``: one colour per
    class plus noise, so a tiny model can learn something in a few steps."""
    rng = np.random.RandomState(seed)
    folder = osp.join(root, 'cifar-100-python')
    os.makedirs(folder, exist_ok=True)
    colours = rng.randint(0, 256, size=(100, 3))
    for split, per_class in (('train', train_per_class),
                             ('test', test_per_class)):
        labels = np.repeat(np.arange(100), per_class)
        images = colours[labels][:, :, None, None] + rng.randint(
            -30, 31, size=(len(labels), 3, 32, 32))
        data = np.clip(images, 0, 255).astype(np.uint8).reshape(
            len(labels), 3072)
        content = {
            'data': data,
            'fine_labels': labels.tolist(),
            'coarse_labels': (labels // 5).tolist(),
            'filenames': [f'{split}_{i}.png' for i in range(len(labels))],
            'batch_label': f'tiny {split}',
        }
        with open(osp.join(folder, split), 'wb') as f:
            pickle.dump(content, f, protocol=2)
    with open(osp.join(folder, 'meta'), 'wb') as f:
        pickle.dump({'fine_label_names': [f'class{i}' for i in range(100)],
                     'coarse_label_names': [f'super{i}' for i in range(20)]},
                    f, protocol=2)
    return root


@pytest.fixture(scope='session')
def tiny_cifar_root(tmp_path_factory) -> str:
    """A directory holding ``cifar-100-python`` with 200 train and 100 test
    images (2 and 1 per class)."""
    return write_tiny_cifar100(str(tmp_path_factory.mktemp('tiny_cifar')))


@pytest.fixture(scope='session', autouse=True)
def single_thread():
    """Tiny models run faster on one thread than on a contended OpenMP pool
    (the tools started by the tests get OMP_NUM_THREADS=1 too)."""
    import torch
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def dataset_base(name: str, augment_on_device: bool, folder: str):
    """Load ``configs/_base_/datasets/<name>`` with its one switch
    ``augment_on_device`` set as given (the bases are copied to ``folder``
    with the switch line replaced)."""
    import shutil

    from mmengine.config import Config
    bases = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets')
    for file in os.listdir(bases):
        shutil.copy(osp.join(bases, file), osp.join(folder, file))
    path = osp.join(folder, 'cifar100_bs64.py')
    with open(path) as f:
        text = f.read()
    switch = 'augment_on_device = True\n'
    assert switch in text, 'the switch line of cifar100_bs64.py changed'
    with open(path, 'w') as f:
        f.write(text.replace(switch,
                             f'augment_on_device = {augment_on_device}\n'))
    return Config.fromfile(osp.join(folder, name))


#: Training images per class of :func:`distilled_colour_run`, and how many
#: of them (the first) the student trains on: the rest are held out.
COLOUR_TRAIN_PER_CLASS = 20
COLOUR_TRAINED_ON = 1800


@pytest.fixture(scope='session')
def distilled_colour_run(tmp_path_factory):
    """A resnet8 distilled (KD) from a trained resnet8 teacher on tiny
    CIFAR-100-format data (one colour per class plus noise, 20 train and 3
    test images per class, :func:`write_tiny_cifar100`; the student
    trains on the first 1800 training images, 200 are held out), 4 epochs
    each. Returns the data root, the student's work dir and checkpoint."""
    base = tmp_path_factory.mktemp('colour_run')
    # One colour per class: a model learns it in a few epochs, and reading
    # the images with red and blue swapped changes the predictions.
    root = write_tiny_cifar100(str(base / 'colours'),
                               train_per_class=COLOUR_TRAIN_PER_CLASS,
                               test_per_class=3)
    schedule = ['train_cfg.max_epochs=4', 'param_scheduler.milestones=[3]',
                'default_hooks.logger.interval=20']
    teacher_dir = str(base / 'teacher')
    run_tool([TRAIN, osp.join(CONFIGS, 'tiny_classifier.py'), '--work-dir',
              teacher_dir, '--cfg-options'] + schedule + data_options(root),
             cwd=str(base))
    student_dir = str(base / 'kd')
    run_tool([TRAIN, osp.join(CONFIGS, 'tiny_kd.py'), '--work-dir',
              student_dir, '--cfg-options',
              f'model.teacher_ckpt={osp.join(teacher_dir, "epoch_4.pth")}',
              f'train_dataloader.dataset.indices={COLOUR_TRAINED_ON}'] +
             schedule + data_options(root), cwd=str(base))
    return dict(root=root, work_dir=student_dir,
                checkpoint=osp.join(student_dir, 'epoch_4.pth'),
                teacher_dir=teacher_dir)
