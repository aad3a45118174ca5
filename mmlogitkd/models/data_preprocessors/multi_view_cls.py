"""A classification data preprocessor that keeps several views per image."""
from typing import List

from mmpretrain.models.utils.data_preprocessor import ClsDataPreprocessor

from mmlogitkd.registry import register_to_mmpretrain


@register_to_mmpretrain('MODELS')
class MultiViewClsDataPreprocessor(ClsDataPreprocessor):
    """:class:`ClsDataPreprocessor` that also accepts several views per image.

    Single-view batches are handled exactly like MMPretrain's
    ``ClsDataPreprocessor`` (same arguments), so one class serves every
    config. A two-view batch comes from MMPretrain's ``MultiView`` transform
    followed by ``PackInputs``: after ``pseudo_collate`` its ``inputs`` is a
    list with one list of images per view. Each view is normalised and stacked
    on its own and ``inputs`` becomes a list of ``N×C×H×W`` tensors, in the
    order of the ``MultiView`` transforms (weak first, then strong, for
    CRLD/MLKD; METHODS.md §3.3).

    Batch augmentations (mixup, cutmix) are refused for several views: they
    would draw different mixing per view and desynchronise labels.
    """

    def forward(self, data: dict, training: bool = False) -> dict:
        inputs = data['inputs']
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


def _is_multi_view(inputs) -> bool:
    """Whether ``inputs`` holds a list of images per view (collated
    ``MultiView`` output) rather than one image per sample."""
    return (isinstance(inputs, (list, tuple)) and len(inputs) > 0
            and isinstance(inputs[0], (list, tuple)))
