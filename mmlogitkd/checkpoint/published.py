"""Published runs: a finished training run reduced to what others reuse.

A published run is a folder that reads like the run it came from (so the
reporting tools and ``tools/test.py`` take it as a finished run) but holds
only what is worth shipping, like an entry of MMPretrain's model zoo:

* ``<config name>.py`` — the run's config, its data roots replaced by a
  portable one (relative to the repository) and its ``work_dir`` dropped;
* ``<session>/vis_data/scalars.json`` — the logged scalars (the training
  curves and every validation);
* ``epoch_<N>.pth`` — the last checkpoint's weights and a small ``meta``
  (tensors and strings only: loads with ``weights_only=True``), without the
  optimizer state and message hub;
* ``last_checkpoint`` — that file's name;
* ``published.json`` — the record: the checkpoint's SHA-256, the data the
  run was trained on (the embedded dataset's ``generator.json``, when the
  data root has one), the epochs and the last validation metrics.

:func:`publish_run` writes one (``tools/model_converters/publish_run.py``);
:func:`install_published_run` copies one into a work dir after checking its
hash and that it was trained on the data at hand
(``tools/analysis/run_bench.py --teacher``, the shipped demo teacher).
"""
import glob
import json
import os
import os.path as osp
import shutil
from typing import Optional

from .loading import CheckpointError, file_sha256, load_checkpoint_file
from .saving import save_checkpoint

#: The record of a published run.
RECORD_FILE = 'published.json'
#: What the embedded dataset generator writes next to the data.
GENERATOR_FILE = 'generator.json'
_LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def _read_json(path: str) -> dict:
    with open(path) as f:
        return json.load(f)


def last_checkpoint(run_dir: str) -> str:
    """The checkpoint the run's ``last_checkpoint`` file names: the path as
    written (relative paths under ``run_dir``), else the file of that name in
    ``run_dir`` (a copied or published run folder).

    Raises:
        CheckpointError: no ``last_checkpoint`` file, or the file it names is
            in neither place.
    """
    marker = osp.join(run_dir, 'last_checkpoint')
    if not osp.isfile(marker):
        raise CheckpointError(
            f'"{run_dir}" has no last_checkpoint file: not a finished '
            'MMEngine run')
    with open(marker) as f:
        path = f.read().strip()
    if not osp.isabs(path):
        path = osp.join(run_dir, path)
    if not osp.isfile(path):
        path = osp.join(run_dir, osp.basename(path))
    if not osp.isfile(path):
        raise CheckpointError(f'{marker} names "{path}", which does not '
                              'exist')
    return path


def _last_validation(scalars_file: str) -> dict:
    last = {}
    with open(scalars_file) as f:
        for line in f:
            record = json.loads(line)
            if 'iter' not in record and 'step' in record:
                last = {k: v for k, v in record.items()
                        if k not in ('step', 'time', 'data_time')}
    return last


def publish_run(run_dir: str, out_dir: str, data_root: Optional[str] = None,
                overwrite: bool = False) -> dict:
    """Write the published form of the finished run ``run_dir``.

    Args:
        run_dir (str): a finished run (``tools/train.py --work-dir``).
        out_dir (str): the folder to write; must not exist unless
            ``overwrite``.
        data_root (str, optional): the portable data root to write into the
            config (e.g. ``data/embedded_cifar100_bench``); default: keep
            the run's.
        overwrite (bool): replace ``out_dir``.

    Returns:
        dict: the record written to ``published.json``.

    Examples:
        >>> publish_run('work_dirs/bench/teacher',
        ...             'checkpoints/embedded_cifar100/resnet20_120e',
        ...             data_root='data/embedded_cifar100_bench')  # doctest: +SKIP
    """
    from mmengine.config import Config

    from mmlogitkd.evaluation.reporting import find_config

    if osp.exists(out_dir):
        if not overwrite:
            raise CheckpointError(
                f'"{out_dir}" already exists; refusing to overwrite it (pass '
                '--force to replace it)')
        shutil.rmtree(out_dir)
    source = last_checkpoint(run_dir)
    sessions = sorted(glob.glob(osp.join(run_dir, '*', 'vis_data',
                                         'scalars.json')))
    if not sessions:
        raise CheckpointError(f'"{run_dir}" has no <session>/vis_data/'
                              'scalars.json: not an MMEngine run folder')
    config_file = find_config(run_dir)
    cfg = Config.fromfile(config_file)
    trained_on = cfg.train_dataloader.dataset.get('data_root')
    generator = None
    if trained_on and osp.isfile(osp.join(trained_on, GENERATOR_FILE)):
        generator = _read_json(osp.join(trained_on, GENERATOR_FILE))
    if data_root is not None:
        for loader in _LOADERS:
            if loader in cfg and cfg[loader] is not None:
                cfg[loader].dataset.data_root = data_root
    cfg.pop('work_dir', None)

    os.makedirs(out_dir)
    config_name = osp.basename(config_file)
    cfg.dump(osp.join(out_dir, config_name))
    for scalars in sessions:
        session = osp.basename(osp.dirname(osp.dirname(scalars)))
        os.makedirs(osp.join(out_dir, session, 'vis_data'))
        shutil.copyfile(scalars,
                        osp.join(out_dir, session, 'vis_data', 'scalars.json'))
    checkpoint = load_checkpoint_file(source)
    meta = checkpoint.get('meta') or {}
    kept_meta = {key: meta[key] for key in ('epoch', 'iter', 'dataset_meta',
                                            'mmengine_version')
                 if key in meta}
    checkpoint_name = osp.basename(source)
    save_checkpoint(dict(state_dict=checkpoint['state_dict'],
                         meta=kept_meta),
                    osp.join(out_dir, checkpoint_name))
    with open(osp.join(out_dir, 'last_checkpoint'), 'w') as f:
        f.write(checkpoint_name)
    record = dict(
        checkpoint=checkpoint_name,
        sha256=file_sha256(osp.join(out_dir, checkpoint_name)),
        config=config_name,
        epochs=cfg.train_cfg.get('max_epochs'),
        seed=(cfg.get('randomness') or {}).get('seed'),
        data_root=data_root or trained_on,
        data_generator=generator,
        last_validation=_last_validation(sessions[-1]))
    with open(osp.join(out_dir, RECORD_FILE), 'w') as f:
        json.dump(record, f, indent=2, sort_keys=True)
        f.write('\n')
    return record


def read_published_run(folder: str) -> dict:
    """The record of a published run; an error naming the folder if there is
    none."""
    path = osp.join(folder, RECORD_FILE)
    if not osp.isfile(path):
        raise CheckpointError(
            f'"{folder}" is not a published run (no {RECORD_FILE}; write one '
            'with tools/model_converters/publish_run.py)')
    return _read_json(path)


def install_published_run(folder: str, dest: str,
                          generator: Optional[dict] = None) -> dict:
    """Copy the published run ``folder`` to ``dest`` (a run folder).

    Args:
        folder (str): a folder written by :func:`publish_run`.
        dest (str): where to copy it; reused if it already holds a copy with
            the same checkpoint hash.
        generator (dict, optional): the ``generator.json`` of the data the
            run will be used with; must equal the one it was trained on.

    Returns:
        dict: its record.

    Raises:
        CheckpointError: the checkpoint's hash is not the recorded one, the
            data differ, or ``dest`` holds something else.
    """
    record = read_published_run(folder)
    trained_on = record.get('data_generator')
    if generator is not None and trained_on != generator:
        def settings(spec):
            return json.dumps((spec or {}).get('settings'), sort_keys=True)
        raise CheckpointError(
            f'the published run "{folder}" was trained on data generated '
            f'with {settings(trained_on)}; these data were generated with '
            f'{settings(generator)}: use data with its settings, or train a '
            'teacher for these data')
    checkpoint = osp.join(folder, record['checkpoint'])
    if file_sha256(checkpoint) != record['sha256']:
        raise CheckpointError(
            f'"{checkpoint}" does not have the SHA-256 recorded in '
            f'{osp.join(folder, RECORD_FILE)} (changed or truncated)')
    if osp.isdir(dest):
        recorded = osp.join(dest, RECORD_FILE)
        if osp.isfile(recorded) and \
                _read_json(recorded).get('sha256') == record['sha256']:
            return record
        raise CheckpointError(
            f'"{dest}" already holds other work; delete it or use another '
            'work dir')
    shutil.copytree(folder, dest)
    return record

