"""Shared pytest fixtures: tiny data written in the CIFAR-100 file format."""
import os
import os.path as osp
import pickle

import numpy as np
import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


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
