"""Install mmlogitkd.

Like MMPretrain, the configs ship inside the package under ``mmlogitkd/.mim``
so that other OpenMMLab projects can write
``_base_ = 'mmlogitkd::crld/crld_resnet32x4_resnet8x4_240e_cifar100.py'``.
In development (editable) installs ``.mim`` holds symlinks to the repository
folders; in regular installs it holds copies.
"""
import os
import os.path as osp
import shutil
import sys

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))
MIM_ITEMS = ['configs', 'tools', 'checkpoints', 'model-index.yml']


def read_version():
    scope = {}
    with open(osp.join(HERE, 'mmlogitkd', 'version.py')) as f:
        exec(compile(f.read(), 'version.py', 'exec'), scope)
    return scope['__version__']


def parse_requirements(path):
    requirements = []
    with open(osp.join(HERE, path)) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            if line.startswith('-r '):
                requirements += parse_requirements(
                    osp.join(osp.dirname(path), line[3:].strip()))
            else:
                requirements.append(line)
    return requirements


def add_mim_extension():
    """Populate ``mmlogitkd/.mim`` with the configs, tools and model index."""
    editable = any(arg in sys.argv for arg in ('develop', 'editable_wheel'))
    if not editable and not any(
            arg in sys.argv for arg in ('install', 'bdist_wheel', 'sdist')):
        return
    mim_root = osp.join(HERE, 'mmlogitkd', '.mim')
    os.makedirs(mim_root, exist_ok=True)
    for item in MIM_ITEMS:
        src = osp.join(HERE, item)
        dst = osp.join(mim_root, item)
        if not osp.exists(src):
            continue
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if editable:
            os.symlink(osp.relpath(src, mim_root), dst)
        elif osp.isdir(src):
            shutil.copytree(src, dst)
        else:
            shutil.copyfile(src, dst)


if __name__ == '__main__':
    add_mim_extension()
    setup(
        name='mmlogitkd',
        version=read_version(),
        description='Logit-based knowledge distillation for OpenMMLab: '
        'CRLD, AEKT, CKD, logit standardization, KD, DKD, MLKD',
        long_description=open(osp.join(HERE, 'README.md')).read()
        if osp.exists(osp.join(HERE, 'README.md')) else '',
        long_description_content_type='text/markdown',
        license='Apache-2.0',
        python_requires='>=3.8',
        packages=find_packages(exclude=('configs', 'tools', 'tests', 'docs')),
        include_package_data=True,
        package_data={'mmlogitkd': ['.mim/**/*', '.mim/*']},
        install_requires=parse_requirements('requirements/runtime.txt'),
        extras_require={
            'tests': parse_requirements('requirements/tests.txt'),
            'optional': parse_requirements('requirements/optional.txt'),
            'loggers': parse_requirements('requirements/loggers.txt'),
        },
        zip_safe=False)
