"""Exporting a trained student as a complete MMPretrain model.

An export is two files: the student's weights with the class names in
``meta['dataset_meta']`` (what ``mmpretrain.get_model`` reads) and a
self-contained config next to them with the student's ``model`` (including
its data preprocessor), a test pipeline and a test data loader for **image
files**, so that ``get_model(config, checkpoint)``,
``ImageClassificationInferencer(config, pretrained=checkpoint)`` and
``tools/test.py config checkpoint`` all see what the student saw in
training.

Channel order. MMPretrain reads image files as BGR (``LoadImageFromFile``,
and ``mmcv.imread`` in its inferencers), and its data preprocessor converts
to RGB with ``to_rgb=True``; arrays passed to ``inference_model`` or an
inferencer are taken as they are, i.e. also BGR (OpenCV's order). The CIFAR
datasets (MMPretrain's ``CIFAR10``/``CIFAR100`` and our ``LocalCIFAR100``)
instead yield RGB arrays, so their configs normalise with ``to_rgb=False``.
A model trained on such arrays is therefore exported with ``to_rgb=True``
and a ``LoadImageFromFile`` test pipeline reading an image folder (MMPretrain's
``CustomDataset``; ``tools/dataset_converters/cifar100_to_images.py`` writes
the CIFAR test split as one). Models trained on files keep their
preprocessor and test data loader. The training config itself keeps working
on the RGB arrays: the weights are the same.

Used by ``tools/model_converters/distill2student.py`` and
:mod:`mmlogitkd.evaluation.temperature_scaling` (which folds a temperature
into the exported classifier).
"""
import copy
import os.path as osp
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

from mmengine.config import Config

from .loading import CheckpointError, file_sha256, load_checkpoint_file
from .saving import atomic_write_bytes, save_checkpoint
from .state_dict import (find_state_dict, is_distillation_state_dict,
                         select_prefix, student_state_dict)

#: Datasets whose samples are RGB arrays (no ``LoadImageFromFile``).
RGB_ARRAY_DATASETS = ('CIFAR10', 'CIFAR100', 'LocalCIFAR100')
#: Prefix of the student in MMRazor algorithms (``SingleTeacherDistill``).
MMRAZOR_STUDENT_PREFIX = 'architecture.'
#: Runtime entries of the training config kept in the exported config.
RUNTIME_KEYS = ('env_cfg', 'log_level', 'default_hooks', 'vis_backends',
                'visualizer')


@dataclass
class ExportReport:
    """What :func:`export_student` wrote."""
    checkpoint: str
    config: str
    sha256: str
    num_tensors: int
    dropped: List[str] = field(default_factory=list)
    num_classes: Optional[int] = None
    classes_found: bool = False
    from_arrays: bool = False
    temperature: Optional[float] = None


def _type_name(cfg) -> str:
    return str((cfg or {}).get('type', '')).split('.')[-1]


def _is_distiller(model_cfg: dict) -> bool:
    return _type_name(model_cfg) == 'LogitDistiller' or (
        'student' in model_cfg and 'teacher' in model_cfg)


def _is_mmrazor_distill(model_cfg: dict) -> bool:
    return 'architecture' in model_cfg and 'teacher' in model_cfg


def _without_pretrained_init(value):
    """Drop ``init_cfg=dict(type='Pretrained', ...)`` anywhere: the export
    loads its own weights and must not fetch others."""
    if isinstance(value, dict):
        return {k: _without_pretrained_init(v) for k, v in value.items()
                if not (k == 'init_cfg' and isinstance(v, dict)
                        and _type_name(v) == 'Pretrained')}
    if isinstance(value, (list, tuple)):
        return type(value)(_without_pretrained_init(v) for v in value)
    return value


def resolve_model_config(model_cfg: dict) -> dict:
    """A ``cfg_path`` dict (MMRazor's convention) as the full model dict it
    stands for (``pretrained`` keys dropped, overrides merged)."""
    from mmlogitkd.models.builder import PRETRAINED_KEYS, load_config_file
    model_cfg = {k: v for k, v in dict(model_cfg).items()
                 if k not in PRETRAINED_KEYS}
    cfg_path = model_cfg.pop('cfg_path', None)
    if cfg_path is None:
        return copy.deepcopy(model_cfg)
    merged = Config(dict(model=load_config_file(cfg_path)['model']))
    merged.merge_from_dict(dict(model=model_cfg))
    return merged.model.to_dict()


def student_model_config(cfg: Config) -> dict:
    """The classifier a training config trains: the student of a
    distillation config (LogitDistiller's ``student``, MMRazor's
    ``architecture``), or the model itself."""
    model = cfg.model.to_dict() if hasattr(cfg.model, 'to_dict') \
        else dict(cfg.model)
    if _is_mmrazor_distill(model):
        return resolve_model_config(model['architecture'])
    if _is_distiller(model):
        return resolve_model_config(model['student'])
    return resolve_model_config(model)


def training_preprocessor(cfg: Config) -> dict:
    """The data preprocessor the trained model saw (the algorithm's own, or
    the top-level one MMEngine's Runner gives it)."""
    model = cfg.get('model') or {}
    preprocessor = model.get('data_preprocessor') or \
        cfg.get('data_preprocessor')
    if not preprocessor:
        raise CheckpointError(
            'the training config has neither model.data_preprocessor nor a '
            'top-level data_preprocessor: there is no input normalisation '
            'to export')
    return copy.deepcopy(dict(preprocessor))


def _has_transform(pipeline: Sequence, name: str) -> bool:
    return any(_type_name(t) == name for t in pipeline or ())


def file_inference_parts(cfg: Config, array_order: Optional[str] = None):
    """The exported model's preprocessor and test data loader for image files.

    Args:
        cfg (Config): The training config.
        array_order (str, optional): ``'rgb'`` or ``'bgr'``: the channel
            order of the arrays an in-memory dataset yields, for datasets
            not in :data:`RGB_ARRAY_DATASETS`.

    Returns:
        tuple: ``(preprocessor, test_dataloader, from_arrays)``.
    """
    preprocessor = training_preprocessor(cfg)
    if _type_name(preprocessor) in ('', 'MultiViewClsDataPreprocessor'):
        # One view at test time: MMPretrain's own class, with the arguments
        # it knows (train_views, our on-device training augmentation, and
        # batch_augments only act in training).
        import inspect

        from mmpretrain.models.utils.data_preprocessor import \
            ClsDataPreprocessor
        known = inspect.signature(ClsDataPreprocessor.__init__).parameters
        preprocessor = {k: v for k, v in preprocessor.items()
                        if k in known and k != 'batch_augments'}
        preprocessor['type'] = 'ClsDataPreprocessor'
    loader = copy.deepcopy(cfg.test_dataloader.to_dict())
    dataset = loader['dataset']
    pipeline = dataset.get('pipeline') or []
    if _has_transform(pipeline, 'LoadImageFromFile'):
        return preprocessor, loader, False  # trained on files: unchanged
    dataset_type = _type_name(dataset)
    if array_order is None:
        if dataset_type not in RGB_ARRAY_DATASETS:
            raise CheckpointError(
                f'test_dataloader.dataset.type={dataset_type} yields '
                'in-memory arrays of unknown channel order: pass '
                '--array-order rgb or bgr (the order its images are stored '
                'in)')
        array_order = 'rgb'
    if array_order not in ('rgb', 'bgr'):
        raise ValueError(f'array_order must be "rgb" or "bgr", got '
                         f'{array_order!r}')
    if array_order == 'rgb':
        # Trained on RGB arrays; files arrive as BGR: flip them to RGB.
        preprocessor['to_rgb'] = not preprocessor.get('to_rgb', False)
    root = str(dataset.get('data_root') or 'data/images').rstrip('/')
    loader['dataset'] = dict(
        type='CustomDataset',
        data_root=root + '_images',
        data_prefix='test',
        ann_file='meta/test.txt',
        with_label=True,
        pipeline=[dict(type='LoadImageFromFile')] + list(pipeline))
    return preprocessor, loader, True


def find_classes(checkpoint: dict) -> Optional[list]:
    """Class names in a runner checkpoint's ``meta['dataset_meta']``
    (MMPretrain 1.x) or ``meta['CLASSES']`` (MMClassification 0.x)."""
    meta = checkpoint.get('meta') if isinstance(checkpoint, dict) else None
    if not isinstance(meta, dict):
        return None
    classes = (meta.get('dataset_meta') or {}).get('classes') \
        if isinstance(meta.get('dataset_meta'), dict) else None
    classes = classes or meta.get('CLASSES')
    return [str(c) for c in classes] if classes else None


def exported_config(cfg: Config,
                    array_order: Optional[str] = None,
                    test_images: Optional[str] = None):
    """The self-contained config of the exported student (the class names
    are in the checkpoint, where ``get_model`` reads them).

    Returns:
        tuple: the config and whether the model was trained on arrays.
    """
    model = _without_pretrained_init(student_model_config(cfg))
    preprocessor, loader, from_arrays = file_inference_parts(cfg,
                                                             array_order)
    model['data_preprocessor'] = preprocessor
    if test_images is not None:
        if not from_arrays:
            raise ValueError('test_images only applies to models trained on '
                             'in-memory arrays; this test_dataloader already '
                             'reads files')
        loader['dataset']['data_root'] = test_images
    loader['persistent_workers'] = False
    content = dict(
        default_scope='mmpretrain',
        custom_imports=dict(imports=['mmlogitkd'],
                            allow_failed_imports=False),
        model=model,
        test_pipeline=loader['dataset']['pipeline'],
        test_dataloader=loader,
        test_evaluator=cfg.get('test_evaluator',
                               dict(type='Accuracy', topk=(1, ))),
        test_cfg=dict())
    for key in RUNTIME_KEYS:
        if cfg.get(key) is not None:
            content[key] = copy.deepcopy(cfg[key])
    return Config(content), from_arrays


def _header(source: str, from_arrays: bool) -> str:
    lines = [
        '# The student exported by tools/model_converters/distill2student.py',
        f'# from {osp.basename(source)}: a complete MMPretrain model',
        '# (docs/inference.md). Its inputs are image files or BGR arrays, as',
        '# everywhere in MMPretrain (LoadImageFromFile, mmcv.imread):',
        '#   get_model(this_file, pretrained=checkpoint)',
        '#   ImageClassificationInferencer(this_file, pretrained=checkpoint)',
        '#   python tools/test.py this_file checkpoint',
    ]
    if from_arrays:
        lines += [
            '# It was trained on RGB arrays; to_rgb=True converts the BGR',
            '# files. test_dataloader reads an image folder: write the test',
            '# split with tools/dataset_converters/cifar100_to_images.py.',
        ]
    return '\n'.join(lines) + '\n'


def load_training_config(checkpoint: Optional[dict], config,
                         source: str) -> Config:
    """``config`` (a path, ``package::path`` or Config) if given, else the
    config a runner stored in the checkpoint's ``meta['cfg']``."""
    if isinstance(config, Config):
        return config
    if config is not None:
        from mmlogitkd.models.builder import load_config_file
        return load_config_file(config)
    text = (checkpoint.get('meta') or {}).get('cfg') \
        if isinstance(checkpoint, dict) else None
    if not isinstance(text, str):
        raise CheckpointError(
            f'"{source}" holds no training config (meta["cfg"], written by '
            'MMEngine runners): pass the config it was trained with')
    return Config.fromstring(text, '.py')


def export_student(source: str,
                   dst: str,
                   config: Optional[str] = None,
                   config_out: Optional[str] = None,
                   array_order: Optional[str] = None,
                   test_images: Optional[str] = None,
                   temperature: Optional[float] = None,
                   extra_meta: Optional[dict] = None,
                   overwrite: bool = False,
                   trust_source: bool = False,
                   converter: str = 'mmlogitkd export_student'
                   ) -> ExportReport:
    """Write the student of ``source`` as ``dst`` plus its config.

    Args:
        source (str): A run checkpoint: of a LogitDistiller or MMRazor
            ``SingleTeacherDistill`` run (the student is exported), or of a
            plain classifier.
        dst (str): The checkpoint to write.
        config (str | Config, optional): The training config; defaults to
            the one stored in the checkpoint.
        config_out (str, optional): Where to write the exported config;
            defaults to ``dst`` with ``.py``.
        array_order (str, optional): See :func:`file_inference_parts`.
        test_images (str, optional): ``data_root`` of the exported test data
            loader (an image folder), for models trained on arrays.
        temperature (float, optional): Fold this temperature into the
            classifier (:func:`~mmlogitkd.evaluation.temperature_scaling
            .fold_temperature`): the exported logits are the trained ones
            divided by it.
        extra_meta (dict, optional): More ``meta`` entries (strings and
            numbers).
        overwrite (bool): Replace existing outputs.
        trust_source (bool): Allow full unpickling of ``source``.

    Returns:
        ExportReport
    """
    from mmengine.registry import DefaultScope

    import mmlogitkd
    from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS

    config_out = config_out or osp.splitext(dst)[0] + '.py'
    if osp.exists(config_out) and not overwrite:
        raise CheckpointError(
            f'"{config_out}" already exists; refusing to overwrite it (pass '
            '--force to replace it)')
    checkpoint = load_checkpoint_file(source,
                                      allow_unsafe=trust_source or None)
    state, _ = find_state_dict(checkpoint, f'"{source}"')
    cfg = load_training_config(checkpoint, config, source)
    model_cfg = cfg.model
    if _is_mmrazor_distill(model_cfg):
        student = select_prefix(state, MMRAZOR_STUDENT_PREFIX,
                                f'"{source}"')
        dropped = sorted({k.split('.', 1)[0] for k in state
                          if not k.startswith(MMRAZOR_STUDENT_PREFIX)})
    elif is_distillation_state_dict(state):
        student, dropped = student_state_dict(state)
    else:
        student, dropped = state, []
    classes = find_classes(checkpoint)
    exported, from_arrays = exported_config(cfg, array_order, test_images)

    # Build the exported model as get_model() would and load it strictly:
    # the pair of files is guaranteed to fit.
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MMPRETRAIN_MODELS.build(copy.deepcopy(exported.model))
    model.load_state_dict(student, strict=True)
    if temperature is not None:
        from mmlogitkd.evaluation.temperature_scaling import \
            fold_temperature
        fold_temperature(model, temperature)
        student = model.state_dict()

    num_classes = getattr(getattr(model, 'head', None), 'num_classes', None)
    if classes and num_classes is not None and len(classes) != num_classes:
        raise CheckpointError(
            f'"{source}" names {len(classes)} classes but the student has '
            f'{num_classes} outputs')
    meta = dict(
        source=osp.abspath(source),
        source_sha256=file_sha256(source),
        config=osp.basename(config_out),
        converter=converter,
        mmlogitkd_version=mmlogitkd.__version__,
        # what LoadImageFromFile and mmcv.imread give (see module doc)
        input_channel_order='bgr')
    if classes:
        meta['dataset_meta'] = dict(classes=list(classes))
    if temperature is not None:
        meta['temperature'] = float(temperature)
    meta.update(extra_meta or {})
    save_checkpoint({'state_dict': student, 'meta': meta}, dst,
                    overwrite=overwrite, source=source)
    atomic_write_bytes(
        (_header(source, from_arrays) + exported.pretty_text).encode(),
        config_out)
    return ExportReport(
        checkpoint=dst, config=config_out, sha256=file_sha256(dst),
        num_tensors=len(student), dropped=dropped, num_classes=num_classes,
        classes_found=bool(classes), from_arrays=from_arrays,
        temperature=temperature)
