"""Keys, opens and flushes the teacher-logit cache of a run."""
import hashlib
import inspect
import json
import os
import os.path as osp

import torch
from mmengine.dist import get_rank, get_world_size
from mmengine.hooks import Hook

from mmlogitkd.registry import HOOKS

from .utils import runner_model


def dataset_fingerprint(dataset) -> str:
    """SHA-256 of a dataset's content: its serialised data list (MMEngine's
    ``BaseDataset`` keeps the pickled ``data_list`` in ``data_bytes``; for
    CIFAR that holds every image and label), else each sample's image bytes
    or file path and size, and its label."""
    dataset = getattr(dataset, 'dataset', dataset)  # unwrap RepeatDataset..
    digest = hashlib.sha256()
    data_bytes = getattr(dataset, 'data_bytes', None)
    if data_bytes is not None:
        digest.update(memoryview(data_bytes))
    else:
        for index in range(len(dataset)):
            info = dataset.get_data_info(index)
            if 'img' in info:
                digest.update(memoryview(info['img']).tobytes())
            elif 'img_path' in info:
                path = info['img_path']
                size = osp.getsize(path) if osp.exists(path) else -1
                digest.update(f'{osp.basename(path)}:{size}'.encode())
            digest.update(str(info.get('gt_label')).encode())
    digest.update(str(len(dataset)).encode())
    return digest.hexdigest()


def code_fingerprint(*modules: torch.nn.Module) -> str:
    """SHA-256 of the source files that define ``modules`` and every
    sub-module in them, outside torch (whose version is keyed on its own).

    The cache key holds it so that an edit to the code making the views (the
    preprocessor's package) or the teacher's layers recomputes the logits
    instead of silently reusing those of the old code.
    """
    files = set()
    for module in modules:
        for part in module.modules():
            path = inspect.getsourcefile(type(part))
            if path and not type(part).__module__.startswith('torch'):
                files.add(osp.realpath(path))
                # the package too: a class calls helpers of its siblings
                if type(part).__module__.startswith('mmlogitkd.models.'
                                                    'data_preprocessors'):
                    folder = osp.dirname(path)
                    files.update(
                        osp.join(folder, name)
                        for name in os.listdir(folder) if name.endswith('.py'))
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(osp.basename(path).encode())
        with open(path, 'rb') as file:
            digest.update(file.read())
    return digest.hexdigest()


def teacher_cache_key(runner, model) -> dict:
    """Everything that decides the teacher's logits of a run, bit for bit.

    Raises:
        ValueError: the run cannot be cached exactly (no teacher checkpoint,
            or augmentation in the data-loader workers), naming the setting.
    """
    if model.teacher_ckpt_sha256 is None:
        raise ValueError(
            'model.teacher_cache needs a teacher checkpoint: set '
            'model.teacher_ckpt (its SHA-256 keys the cache)')
    preprocessor = model.data_preprocessor
    if getattr(preprocessor, 'train_views', None) is None:
        raise ValueError(
            'model.teacher_cache needs the training augmentation on the '
            'device (augment_on_device = True in the dataset base, i.e. '
            'data_preprocessor.train_views): with per-image transforms in '
            'the data-loader workers the augmentation depends on the worker '
            'random states, so stored logits would not match.')
    cfg = runner.cfg
    loader_cfg = cfg.get('train_dataloader', {})
    preprocessor_cfg = cfg.get('model', {}).get('data_preprocessor') or \
        cfg.get('data_preprocessor') or {}
    device = next(model.teacher.parameters()).device.type
    return dict(
        teacher_sha256=model.teacher_ckpt_sha256,
        dataset=dataset_fingerprint(runner.train_dataloader.dataset),
        pipeline=json.loads(json.dumps(
            loader_cfg.get('dataset', {}).get('pipeline'), default=str)),
        preprocessor=json.loads(json.dumps(preprocessor_cfg, default=str)),
        seed=runner.seed,
        num_views=model.num_views,
        batch_size_per_rank=loader_cfg.get('batch_size'),
        world_size=get_world_size(),
        teacher_autocast=model.teacher_autocast,
        channels_last=bool(model.channels_last),
        torch=torch.__version__,
        code=code_fingerprint(preprocessor, model.teacher),
        device=device)


@HOOKS.register_module()
class TeacherCacheHook(Hook):
    """Drive ``model.teacher_cache`` (:mod:`mmlogitkd.models.algorithms
    .teacher_cache`): compute the run's key when training starts, load each
    epoch's stored logits, write what was computed at the end of every epoch
    and before every checkpoint, and log how many batches skipped the
    teacher. Does nothing when the model has no cache configured (it is in
    ``configs/_base_/default_runtime.py``).

    Examples:
        >>> model = dict(teacher_cache=dict(root='work_dirs/teacher_cache'))
    """

    priority = 'NORMAL'

    @staticmethod
    def _cache(runner):
        model = runner_model(runner)
        return model, getattr(model, 'teacher_cache', None)

    def before_train(self, runner) -> None:
        model, cache = self._cache(runner)
        if cache is None:
            return
        folder = cache.open(teacher_cache_key(runner, model), get_rank())
        runner.logger.info(f'Teacher-logit cache ({cache.dtype_name}): '
                           f'{folder}')

    def before_train_epoch(self, runner) -> None:
        _, cache = self._cache(runner)
        if cache is None or not cache.is_open:
            return
        size = len(runner.train_dataloader.dataset)
        stored = cache.begin_epoch(runner.epoch, size)
        runner.logger.info(
            f'Teacher-logit cache, epoch {runner.epoch + 1}: {stored} of '
            f'{size} samples stored')

    def after_train_epoch(self, runner) -> None:
        _, cache = self._cache(runner)
        if cache is None or not cache.is_open:
            return
        cache.flush()
        summary = cache.summary()
        runner.logger.info(
            f'Teacher-logit cache, epoch {runner.epoch + 1}: '
            f'{summary["hits"]} batches read, {summary["misses"]} computed '
            'by the teacher')

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        _, cache = self._cache(runner)
        if cache is not None and cache.is_open:
            cache.flush()

    def after_train(self, runner) -> None:
        _, cache = self._cache(runner)
        if cache is not None and cache.is_open:
            cache.flush()
