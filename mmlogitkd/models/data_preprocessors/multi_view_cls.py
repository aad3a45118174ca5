"""A classification data preprocessor that keeps several views per image and
can augment whole batches on the training device."""
from typing import List, Optional, Sequence

import torch
from mmengine.logging import MessageHub
from mmpretrain.models.utils.data_preprocessor import ClsDataPreprocessor

from mmlogitkd.registry import BATCH_TRANSFORMS, register_to_mmpretrain
from .keyed_random import KeyedRandom

#: MessageHub runtime-info key holding the run's seed (written by
#: :class:`~mmlogitkd.engine.hooks.EpochSeedHook`).
SEED_INFO_KEY = 'augment_seed'


def augmentation_key() -> tuple:
    """``(seed, epoch)`` of the current training step, from MMEngine's
    MessageHub (0 and 0 outside a runner)."""
    hub = MessageHub.get_current_instance()
    seed = hub.get_info(SEED_INFO_KEY)
    epoch = hub.get_info('epoch')
    return int(seed or 0), int(epoch or 0)


@register_to_mmpretrain('MODELS')
class MultiViewClsDataPreprocessor(ClsDataPreprocessor):
    """:class:`ClsDataPreprocessor` that also accepts several views per image
    and can build the training views itself, batched.

    Single-view batches are handled exactly like MMPretrain's
    ``ClsDataPreprocessor`` (same arguments), so one class serves every
    config.

    **Views from the pipeline** (``train_views=None``): a two-view batch
    comes from MMPretrain's ``MultiView`` transform followed by
    ``PackInputs``; after ``pseudo_collate`` its ``inputs`` is a list with one
    list of images per view. Each view is normalised and stacked on its own
    and ``inputs`` becomes a list of ``N×C×H×W`` tensors (weak first, then
    strong, for CRLD/MLKD).

    **Views built here** (``train_views`` set, training only): the data
    pipeline only decodes (``PackInputs``); for each view the listed batch
    transforms (:mod:`.batch_augment`: ``BatchRandomCrop``,
    ``BatchRandomFlip``, ``BatchRandAugmentFixMatch``) run on the whole
    batch on the training device, with random numbers keyed by (seed, epoch,
    sample index, view) (:class:`.KeyedRandom`), then each view is
    normalised. The result does not depend on the number of data-loader
    workers or processes. Validation and testing use the images as decoded.

    Batch augmentations (mixup, cutmix) are refused for several views: they
    would draw different mixing per view and desynchronise labels.

    Args:
        train_views (Sequence[Sequence[dict]], optional): One list of batch
            transform configs per training view. Defaults to None.
        **kwargs: The arguments of ``ClsDataPreprocessor`` (``mean``,
            ``std``, ``to_rgb``, ``num_classes``, ``batch_augments``, ...).

    Examples:
        >>> weak = [dict(type='BatchRandomCrop', size=32, padding=4),
        ...         dict(type='BatchRandomFlip', prob=0.5)]
        >>> preprocessor = MultiViewClsDataPreprocessor(
        ...     mean=[129.3, 124.1, 112.4], std=[68.2, 65.4, 70.4],
        ...     train_views=[weak])
    """

    def __init__(self,
                 train_views: Optional[Sequence[Sequence[dict]]] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.train_views = None
        if train_views is not None:
            if isinstance(train_views, dict) or not len(train_views):
                raise ValueError(
                    'MultiViewClsDataPreprocessor: train_views must be a '
                    'non-empty list with one list of batch transforms per '
                    f'view, got {train_views!r}')
            self.train_views = [[
                BATCH_TRANSFORMS.build(cfg) if isinstance(cfg, dict) else cfg
                for cfg in view
            ] for view in train_views]

    @property
    def num_train_views(self) -> Optional[int]:
        """Views built here per training image, or None (from the
        pipeline)."""
        return None if self.train_views is None else len(self.train_views)

    def forward(self, data: dict, training: bool = False) -> dict:
        inputs = data['inputs']
        if training and self.train_views is not None:
            return self._augmented_views(data)
        if not _is_multi_view(inputs):
            return super().forward(data, training)
        if training and self.batch_augments is not None:
            raise ValueError(
                'MultiViewClsDataPreprocessor: batch_augments (mixup/cutmix) '
                'cannot be combined with a multi-view pipeline.')
        views: List = []
        data_samples = data.get('data_samples')
        for view_inputs in inputs:
            out = super().forward(
                dict(inputs=list(view_inputs), data_samples=data_samples),
                training)
            views.append(out['inputs'])
            data_samples = out['data_samples']
        return dict(inputs=views, data_samples=data_samples)

    def _augmented_views(self, data: dict) -> dict:
        inputs = data['inputs']
        if _is_multi_view(inputs):
            raise ValueError(
                'MultiViewClsDataPreprocessor: train_views builds the views '
                'on the device, but the data pipeline already gives several '
                'views per image (MultiView). Use a decode-only pipeline '
                "([dict(type='PackInputs')]) with train_views, or drop "
                'train_views.')
        if len(self.train_views) > 1 and self.batch_augments is not None:
            raise ValueError(
                'MultiViewClsDataPreprocessor: batch_augments (mixup/cutmix) '
                'cannot be combined with several views.')
        data_samples = data.get('data_samples')
        if not data_samples or 'sample_idx' not in data_samples[0]:
            raise ValueError(
                'MultiViewClsDataPreprocessor: train_views needs the dataset '
                'index of every sample (data_sample.sample_idx, set by '
                "PackInputs' default meta_keys) to key its random numbers.")
        indices = [int(sample.sample_idx) for sample in data_samples]
        images = torch.stack(list(inputs)) if isinstance(
            inputs, (list, tuple)) else inputs
        images = self.cast_data(images).float()
        seed, epoch = augmentation_key()
        views: List = []
        for view, transforms in enumerate(self.train_views):
            rng = KeyedRandom(seed, epoch, indices, view)
            augmented = images
            for transform in transforms:
                augmented = transform(augmented, rng)
            out = super().forward(
                dict(inputs=augmented, data_samples=data_samples), True)
            views.append(out['inputs'])
            data_samples = out['data_samples']
        return dict(inputs=views[0] if len(views) == 1 else views,
                    data_samples=data_samples)


def _is_multi_view(inputs) -> bool:
    """Whether ``inputs`` holds a list of images per view (collated
    ``MultiView`` output) rather than one image per sample."""
    return (isinstance(inputs, (list, tuple)) and len(inputs) > 0
            and isinstance(inputs[0], (list, tuple)))
