"""Checks of a whole config that no single module can make on its own."""
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


def loss_num_views(loss_cfgs: dict) -> dict:
    """name -> number of views each configured distillation loss expects."""
    from mmengine.registry import init_default_scope

    from mmlogitkd.registry import MODELS
    init_default_scope('mmlogitkd')
    result = {}
    for name, loss_cfg in (loss_cfgs or {}).items():
        loss_cls = MODELS.get(loss_cfg['type'])
        if loss_cls is None:
            raise KeyError(f'model.distill_losses.{name}: unknown loss type '
                           f'"{loss_cfg["type"]}"')
        result[name] = getattr(loss_cls, 'num_views', 1)
    return result


def check_views(cfg: Config) -> None:
    """Fail early when the losses and the training pipeline disagree on the
    number of views per image (a two-view loss needs a MultiView pipeline)."""
    model = cfg.get('model', {})
    if 'distill_losses' not in model or 'train_dataloader' not in cfg:
        return
    pipeline = cfg.train_dataloader.get('dataset', {}).get('pipeline')
    if pipeline is None:
        return
    data_views = pipeline_num_views(pipeline)
    for name, views in loss_num_views(model.distill_losses).items():
        if views != data_views:
            raise ValueError(
                f'model.distill_losses.{name} ({model.distill_losses[name]["type"]}) '
                f'expects {views} view(s) per image, but '
                f'train_dataloader.dataset.pipeline yields {data_views}. '
                + ('Inherit a two-view dataset base '
                   '(configs/_base_/datasets/*two_view*.py).' if views > 1
                   else 'Use a single-view dataset base.'))
