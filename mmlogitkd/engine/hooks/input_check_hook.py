"""Check what the model will be fed before the first step, so that a bad
setting fails with its name instead of deep inside a loss or a metric."""
from typing import Optional, Tuple

import numpy as np
import torch
from mmengine.hooks import Hook

from mmlogitkd.checkpoint.runs import is_distiller, unwrap_model
from mmlogitkd.registry import HOOKS


class InputCheckError(ValueError):
    """A dataset or a normalisation setting cannot work with the model."""


@HOOKS.register_module()
class InputCheckHook(Hook):
    """Before a run touches any data:

    * ``data_preprocessor.mean``/``std`` must be finite and ``std`` > 0
      (a NaN there made every input NaN; the only sign was the calibration
      metric's "``probs`` contains NaN" at the first validation);
    * every label of the train, val and test datasets must lie in
      ``[0, num_classes)`` of the model's head (a dataset with more classes
      failed at the first step with ``IndexError: Target 120 is out of
      bounds``, a device-side assert on GPU).

    Each error names the setting at fault. ``tools/train.py`` and
    ``tools/test.py`` add this hook to every run.
    """

    priority = 'VERY_HIGH'

    def __init__(self):
        self._checked = set()

    def before_run(self, runner) -> None:
        check_normalization(runner.model, runner.cfg)

    def before_train(self, runner) -> None:
        self._check_loader(runner, 'train_dataloader', runner.train_dataloader)
        val_loop = getattr(runner, '_val_loop', None)
        if val_loop is not None and hasattr(val_loop, 'dataloader'):
            self._check_loader(runner, 'val_dataloader', val_loop.dataloader)

    def before_val(self, runner) -> None:
        self._check_loader(runner, 'val_dataloader', runner.val_dataloader)

    def before_test(self, runner) -> None:
        self._check_loader(runner, 'test_dataloader', runner.test_dataloader)

    def _check_loader(self, runner, name: str, dataloader) -> None:
        if name in self._checked or dataloader is None:
            return
        self._checked.add(name)
        check_label_range(runner.model, dataloader.dataset, name)


def check_normalization(model, cfg=None) -> None:
    """Refuse a non-finite ``mean``/``std`` or a ``std`` <= 0 in the
    model's data preprocessor (naming the config key)."""
    preprocessor = getattr(unwrap_model(model), 'data_preprocessor', None)
    key = 'model.data_preprocessor'
    if cfg is not None and cfg.get('data_preprocessor') is not None and \
            'data_preprocessor' not in (cfg.get('model') or {}):
        key = 'data_preprocessor'
    for attribute in ('mean', 'std'):
        value = getattr(preprocessor, attribute, None)
        if not isinstance(value, torch.Tensor):
            continue
        values = [round(v, 4) for v in value.flatten().tolist()]
        if not torch.isfinite(value).all():
            raise InputCheckError(
                f'{key}.{attribute}={values} is not finite: every input '
                'would become NaN (and the metrics fail with "probs contains '
                f'NaN"). Fix {key}.{attribute} in the config.')
        if attribute == 'std' and not (value > 0).all():
            raise InputCheckError(
                f'{key}.std={values} has a value <= 0: inputs would be '
                f'divided by it. Fix {key}.std in the config.')


def _num_classes(model) -> Tuple[Optional[int], str]:
    model = unwrap_model(model)
    if is_distiller(model):
        model, key = model.student, 'model.student.head.num_classes'
    else:
        key = 'model.head.num_classes'
    return getattr(getattr(model, 'head', None), 'num_classes', None), key


def dataset_labels(dataset) -> Optional[np.ndarray]:
    """Every single-label ``gt_label`` of ``dataset`` (None when the dataset
    has none, or multi-label ones)."""
    labels = []
    try:
        for index in range(len(dataset)):
            label = dataset.get_data_info(index).get('gt_label')
            if label is None:
                return None
            label = np.asarray(label)
            if label.size != 1:
                return None
            labels.append(int(label.reshape(-1)[0]))
    except (AttributeError, NotImplementedError, TypeError):
        return None
    return np.asarray(labels, dtype=np.int64)


def check_label_range(model, dataset, name: str) -> None:
    """Refuse a dataset with labels outside ``[0, num_classes)`` of the
    model (naming ``<name>.dataset`` and the ``num_classes`` key)."""
    num_classes, key = _num_classes(model)
    if not isinstance(num_classes, int):
        return
    labels = dataset_labels(dataset)
    if labels is None or labels.size == 0:
        return
    low, high = int(labels.min()), int(labels.max())
    if low >= 0 and high < num_classes:
        return
    classes = len(np.unique(labels))
    described = type(dataset).__name__
    root = getattr(dataset, 'data_root', None)
    if root:
        described += f', data_root={root}'
    if high >= num_classes:
        keys = key + (' and model.teacher.head.num_classes'
                      if is_distiller(model) else '')
        raise InputCheckError(
            f'{name}.dataset ({described}) has labels up to {high} '
            f'({high + 1} classes, {classes} present), but {key}='
            f'{num_classes}: every label must lie in [0, {num_classes}). '
            f'Set {keys} to the number of classes of the dataset, or check '
            f'the dataset settings of {name} (data_root, split, ann_file).')
    raise InputCheckError(
        f'{name}.dataset ({described}) has negative labels (down to {low}): '
        f'every label must lie in [0, {num_classes}) ({key}={num_classes}). '
        f'Check the dataset settings of {name} (data_root, split, ann_file).')
