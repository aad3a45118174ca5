"""The ``mmlogitkd`` registry scope.

Every registry here is a child of MMPretrain's registry of the same kind, so a
config with ``default_scope = 'mmlogitkd'`` resolves MMPretrain types
(``ImageClassifier``, ``ResNet``, ``CIFAR100``, ``RandomCrop``, ``Accuracy``)
without a prefix, and MMEngine types (``SGD``, ``MultiStepLR``, hooks) through
MMPretrain's own parents.

What we add that plain MMPretrain configs should also use (backbones,
datasets, transforms, metrics) is registered into MMPretrain's registries by
the modules that define it (see :func:`register_to_mmpretrain`); our child
registries find it through their parent. Losses are also registered into
MMRazor's ``MODELS`` so MMRazor's ``ConfigurableDistiller`` can name them.
"""
from mmengine.registry import Registry
from mmpretrain import registry as mmpretrain_registry

_SCOPE = 'mmlogitkd'


def _child(name: str, parent: Registry, locations=None) -> Registry:
    return Registry(
        name, parent=parent, scope=_SCOPE, locations=locations or [])


RUNNERS = _child('runner', mmpretrain_registry.RUNNERS, ['mmlogitkd.engine'])
RUNNER_CONSTRUCTORS = _child('runner constructor',
                             mmpretrain_registry.RUNNER_CONSTRUCTORS)
LOOPS = _child('loop', mmpretrain_registry.LOOPS, ['mmlogitkd.engine'])
HOOKS = _child('hook', mmpretrain_registry.HOOKS, ['mmlogitkd.engine'])
LOG_PROCESSORS = _child('log processor', mmpretrain_registry.LOG_PROCESSORS)
OPTIMIZERS = _child('optimizer', mmpretrain_registry.OPTIMIZERS)
OPTIM_WRAPPERS = _child('optim wrapper', mmpretrain_registry.OPTIM_WRAPPERS)
OPTIM_WRAPPER_CONSTRUCTORS = _child(
    'optimizer wrapper constructor',
    mmpretrain_registry.OPTIM_WRAPPER_CONSTRUCTORS)
PARAM_SCHEDULERS = _child('parameter scheduler',
                          mmpretrain_registry.PARAM_SCHEDULERS)
DATASETS = _child('dataset', mmpretrain_registry.DATASETS,
                  ['mmlogitkd.datasets'])
DATA_SAMPLERS = _child('data sampler', mmpretrain_registry.DATA_SAMPLERS)
TRANSFORMS = _child('transform', mmpretrain_registry.TRANSFORMS,
                    ['mmlogitkd.datasets'])
MODELS = _child('model', mmpretrain_registry.MODELS, ['mmlogitkd.models'])
MODEL_WRAPPERS = _child('model_wrapper', mmpretrain_registry.MODEL_WRAPPERS)
WEIGHT_INITIALIZERS = _child('weight initializer',
                             mmpretrain_registry.WEIGHT_INITIALIZERS)
BATCH_AUGMENTS = _child('batch augment', mmpretrain_registry.BATCH_AUGMENTS)
TASK_UTILS = _child('task util', mmpretrain_registry.TASK_UTILS)
METRICS = _child('metric', mmpretrain_registry.METRICS,
                 ['mmlogitkd.evaluation'])
EVALUATORS = _child('evaluator', mmpretrain_registry.EVALUATORS)
VISUALIZERS = _child('visualizer', mmpretrain_registry.VISUALIZERS)
VISBACKENDS = _child('vis_backend', mmpretrain_registry.VISBACKENDS)
#: Augmentations of a whole batch on the training device, keyed per sample
#: (``models/data_preprocessors/batch_augment.py``); MMPretrain has no
#: counterpart (its ``BATCH_AUGMENTS`` are mixup/cutmix on normalised
#: batches).
BATCH_TRANSFORMS = Registry(
    'batch transform',
    scope=_SCOPE,
    locations=['mmlogitkd.models.data_preprocessors'])


def register_to_mmpretrain(registry_name: str):
    """Decorator: register a class into MMPretrain's ``registry_name``.

    Used for what plain MMPretrain configs should be able to name too
    (``default_scope='mmpretrain'`` + ``custom_imports=['mmlogitkd']``);
    configs in the ``mmlogitkd`` scope reach it through the parent registry.
    """
    target = getattr(mmpretrain_registry, registry_name)

    def wrap(cls):
        target.register_module(module=cls)
        return cls

    return wrap


def register_loss(cls=None, *, mmrazor_name: str = None):
    """Register a distillation loss into our ``MODELS`` and MMRazor's, so it
    can be used both by our algorithms and by MMRazor's
    ``ConfigurableDistiller`` (``loss_forward_mappings``).

    Use as ``@register_loss`` or, where MMRazor already has a class of that
    name (e.g. its own ``DKDLoss``), as
    ``@register_loss(mmrazor_name='DecoupledKDLoss')``. A clash is reported
    here rather than later, when ``import mmrazor.models`` would fail.
    """

    def wrap(loss_cls):
        # MMRazor's own losses register when mmrazor.models is imported:
        # import it first so that a name clash is detected here.
        import mmrazor.models  # noqa: F401,F811  (after mmlogitkd.compat)
        from mmrazor.registry import MODELS as MMRAZOR_MODELS
        name = mmrazor_name or loss_cls.__name__
        existing = MMRAZOR_MODELS.module_dict.get(name)
        if existing is not None and existing is not loss_cls:
            raise KeyError(
                f'{loss_cls.__name__}: MMRazor already registers a "{name}" '
                f'({existing.__module__}); pass register_loss(mmrazor_name=...)')
        MODELS.register_module(module=loss_cls)
        MMRAZOR_MODELS.register_module(name=name, module=loss_cls, force=True)
        return loss_cls

    return wrap if cls is None else wrap(cls)
