"""Checks of a whole config that no single module can make on its own."""
import os

from mmengine.config import Config


def pipeline_num_views(pipeline) -> int:
    """Number of views a data pipeline yields per image (``MultiView``
    transforms multiply, everything else yields one)."""
    views = 1
    for transform in pipeline or []:
        if str(transform.get('type', '')).split('.')[-1] == 'MultiView':
            counts = transform.get('num_views', 1)
            views *= sum(counts) if isinstance(counts, (list, tuple)) \
                else counts
    return views


def loss_classes(loss_cfgs: dict) -> dict:
    """name -> class of each configured distillation loss."""
    from mmengine.registry import init_default_scope

    from mmlogitkd.registry import MODELS
    init_default_scope('mmlogitkd')
    result = {}
    for name, loss_cfg in (loss_cfgs or {}).items():
        loss_cls = MODELS.get(loss_cfg['type'])
        if loss_cls is None:
            raise KeyError(f'model.distill_losses.{name}: unknown loss type '
                           f'"{loss_cfg["type"]}"')
        result[name] = loss_cls
    return result


def loss_num_views(loss_cfgs: dict) -> dict:
    """name -> number of views each configured distillation loss expects."""
    return {name: getattr(loss_cls, 'num_views', 1)
            for name, loss_cls in loss_classes(loss_cfgs).items()}


def check_batch_size(cfg: Config) -> None:
    """Refuse a ``train_dataloader.batch_size`` below what a distillation
    loss needs (CKD's in-batch negatives: with a batch of 1 the loss is 0
    on every step). A loss with ``gather=True`` counts the batches of all
    ranks (``WORLD_SIZE``)."""
    model = cfg.get('model') or {}
    batch_size = (cfg.get('train_dataloader') or {}).get('batch_size')
    if not model.get('distill_losses') or not isinstance(batch_size, int):
        return
    world_size = int(os.environ.get('WORLD_SIZE', '1') or 1)
    for name, loss_cls in loss_classes(model.distill_losses).items():
        needed = getattr(loss_cls, 'min_batch_size', 1)
        gathered = bool(model.distill_losses[name].get('gather', False))
        batch = batch_size * (world_size if gathered else 1)
        if batch < needed:
            raise ValueError(
                f'model.distill_losses.{name} ({loss_cls.__name__}) needs at '
                f'least {needed} samples per step, but '
                f'train_dataloader.batch_size={batch_size}'
                + (f' x {world_size} rank(s) gathered' if gathered else '')
                + f'. {loss_cls.__name__} compares each sample with the '
                'other samples of its batch, so with fewer it logs 0 on '
                'every step and distils nothing. Set '
                f'train_dataloader.batch_size >= {needed}.')


def training_views(cfg: Config):
    """Views per training image and where they come from: the data
    preprocessor's ``train_views`` (batched on the device) if set, else the
    training pipeline. Returns ``(views, source)`` or ``(None, None)``."""
    model = cfg.get('model', {})
    preprocessor = model.get('data_preprocessor') or cfg.get(
        'data_preprocessor') or {}
    train_views = preprocessor.get('train_views')
    if train_views:
        pipeline = cfg.get('train_dataloader', {}).get('dataset', {}).get(
            'pipeline')
        if pipeline_num_views(pipeline) > 1:
            raise ValueError(
                'data_preprocessor.train_views builds the training views on '
                'the device, but train_dataloader.dataset.pipeline also '
                'yields several views (MultiView): use one or the other '
                '(the dataset bases switch with augment_on_device).')
        return len(train_views), 'data_preprocessor.train_views'
    if 'train_dataloader' not in cfg:
        return None, None
    pipeline = cfg.train_dataloader.get('dataset', {}).get('pipeline')
    if pipeline is None:
        return None, None
    return pipeline_num_views(pipeline), 'train_dataloader.dataset.pipeline'


def check_views(cfg: Config) -> None:
    """Fail early when the losses and the training data disagree on the
    number of views per image (a two-view loss needs a two-view dataset
    base)."""
    model = cfg.get('model', {})
    if 'distill_losses' not in model:
        return
    data_views, source = training_views(cfg)
    if data_views is None:
        return
    for name, views in loss_num_views(model.distill_losses).items():
        if views != data_views:
            raise ValueError(
                f'model.distill_losses.{name} '
                f'({model.distill_losses[name]["type"]}) expects {views} '
                f'view(s) per image, but {source} yields {data_views}. ' +
                ('Inherit a two-view dataset base '
                 '(configs/_base_/datasets/*two_view*.py).' if views > 1
                 else 'Use a single-view dataset base.'))
