"""One run's result: what a work directory contributes to a results
table (method, pair, dataset, seed, last/best top-1, ECE, ECE after
temperature scaling, teacher)."""
import hashlib
import json
import os.path as osp
from dataclasses import dataclass
from typing import Any, Optional

from .workdir import (ECE_KEY, TEACHER_PREFIX, TOP1_KEY, find_config,
                      load_history, read_teacher_eval)

#: different folders on different machines).
FINGERPRINT_IGNORED_KEYS = ('work_dir', 'launcher', 'resume', 'load_from',
                            'env_cfg', 'model_wrapper_cfg', 'randomness',
                            'log_level', 'default_hooks', 'visualizer',
                            'vis_backends')
FINGERPRINT_PATH_KEYS = ('data_root', 'data_prefix', 'ann_file',
                         'teacher_ckpt', 'cfg_path')


def describe_backbone(classifier_cfg: Optional[dict]) -> str:
    """A short architecture name.

    A zoo ``arch`` such as ``'resnet8x4'`` is used as it is; otherwise the
    backbone type with its depth/arch (``ResNet_CIFAR`` with ``depth=18``
    gives ``ResNet_CIFAR-18``); a ``cfg_path`` classifier gives the config's
    file name (``.../resnet8.py`` gives ``resnet8``).
    """
    if not classifier_cfg:
        return '?'
    backbone = classifier_cfg.get('backbone')
    if backbone is None:
        cfg_path = classifier_cfg.get('cfg_path')
        if cfg_path:
            return osp.splitext(osp.basename(str(cfg_path)))[0]
        return str(classifier_cfg.get('type', '?'))
    name = str(backbone.get('type', '?'))
    arch = backbone.get('arch')
    if isinstance(arch, str) and any(c.isdigit() for c in arch) \
            and any(c.isalpha() for c in arch):
        return arch  # a zoo name such as 'resnet8x4' or 'wrn_40_2'
    for value in (backbone.get('depth'), arch):
        if isinstance(value, (int, str)):
            name += f'-{value}'
    return name


def describe_method(model_cfg: dict) -> str:
    """The method's name (``KD+LS``, ``CRLD``; :mod:`mmlogitkd.methods`), or
    for an undeclared combination the loss types with ``+LS`` for
    standardization.

    A plain classifier (or a distiller without distillation loss) is
    ``baseline``: the student trained on labels alone. MMRazor algorithms
    (``SingleTeacherDistill``) are described by their distiller's losses.
    """
    from mmlogitkd.methods import method_of_loss_config
    losses = model_cfg.get('distill_losses') or \
        (model_cfg.get('distiller') or {}).get('distill_losses') or {}
    if not losses:
        return 'baseline'
    method = method_of_loss_config(losses)
    if method is not None:
        return method.name
    names = []
    for loss_cfg in losses.values():
        name = str(loss_cfg.get('type', '?'))
        if loss_cfg.get('standardize'):
            name += '+LS'
        names.append(name)
    return ', '.join(names)


def describe_dataset(dataloader_cfg: Optional[dict]) -> str:
    """Dataset type, plus the name of its data folder if it has one."""
    dataset = (dataloader_cfg or {}).get('dataset') or {}
    while 'dataset' in dataset and isinstance(dataset['dataset'], dict):
        dataset = dataset['dataset']  # unwrap RepeatDataset and the like
    name = str(dataset.get('type', '?'))
    root = dataset.get('data_root')
    if root:
        name += f':{osp.basename(osp.normpath(str(root)))}'
    return name


def _fingerprint_view(value: Any, key: Optional[str] = None) -> Any:
    if isinstance(value, dict):
        return {k: _fingerprint_view(v, k) for k, v in sorted(value.items())
                if not k.startswith('_')}
    if isinstance(value, (list, tuple)):
        return [_fingerprint_view(v) for v in value]
    if key in FINGERPRINT_PATH_KEYS and isinstance(value, str):
        return osp.basename(osp.normpath(value))
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    return repr(value)


def config_fingerprint(cfg: dict) -> str:
    """A short hash of everything in the config that defines the experiment
    (all keys but :data:`FINGERPRINT_IGNORED_KEYS`; paths by file name)."""
    kept = {k: v for k, v in cfg.items()
            if k not in FINGERPRINT_IGNORED_KEYS}
    text = json.dumps(_fingerprint_view(kept), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


@dataclass
class RunResult:
    """What one work directory contributes to a results table."""
    work_dir: str
    config_file: str
    config_name: str
    fingerprint: str
    method: str
    pair: str
    dataset: str
    seed: Optional[int]
    batch_size: Optional[int]
    world_size: Optional[int]
    schedule: str
    max_epochs: Optional[int]
    last_epoch: Optional[int]
    top1_last: Optional[float]
    top1_best: Optional[float]
    best_epoch: Optional[int]
    ece_last: Optional[float]
    teacher_top1: Optional[float]
    teacher_sha256: Optional[str]
    teacher_checkpoint: Optional[str]
    wall_time: Optional[float]
    #: The folder holds a training session (not only tools/test.py output).
    trained: bool = True
    #: From ``temperature_scaling.json`` (tools/analysis/
    #: temperature_scaling.py): the temperature and the test ECE after it.
    temperature: Optional[float] = None
    ece_after_ts: Optional[float] = None

    @property
    def finished(self) -> bool:
        """The last validation is at the end of the schedule."""
        return (self.max_epochs is not None and self.last_epoch is not None
                and self.last_epoch >= self.max_epochs)


def read_run(work_dir: str) -> RunResult:
    """Collect config, history, log facts and teacher evaluation of a run."""
    from mmengine.config import Config  # heavy; only needed here

    config_file = find_config(work_dir)
    cfg = Config.fromfile(config_file).to_dict()
    model = cfg.get('model') or {}
    history = load_history(work_dir)

    train_cfg = cfg.get('train_cfg') or {}
    if train_cfg.get('max_epochs') is not None:
        max_steps = int(train_cfg['max_epochs'])
        schedule = f'{max_steps} ep'
    elif train_cfg.get('max_iters') is not None:
        max_steps = int(train_cfg['max_iters'])
        schedule = f'{max_steps} it'
    else:
        max_steps, schedule = None, '?'

    top1 = {step: m[TOP1_KEY] for step, m in history.val.items()
            if TOP1_KEY in m}
    last_epoch = max(top1) if top1 else None
    best_epoch = max(top1, key=lambda s: (top1[s], -s)) if top1 else None
    last_metrics = history.val.get(last_epoch, {})

    seed = (cfg.get('randomness') or {}).get('seed')
    sessions = history.sessions
    if seed is None:  # MMEngine drew one and printed it in the banner
        seed = next((s.seed for s in sessions if s.seed is not None), None)
    world_size = next((s.world_size for s in reversed(sessions)
                       if s.world_size is not None), None)
    times = [s.wall_time for s in sessions if s.wall_time is not None]

    teacher = read_teacher_eval(work_dir)
    teacher_top1 = teacher.get(TOP1_KEY,
                               history.teacher.get(TEACHER_PREFIX + TOP1_KEY))
    is_distiller = 'teacher' in model
    student = model.get('student') or model.get('architecture')  # MMRazor
    pair = (f'{describe_backbone(model.get("teacher"))} → '
            f'{describe_backbone(student)}'
            if is_distiller else describe_backbone(model))
    from mmlogitkd.evaluation.temperature_scaling import read_result
    scaling = read_result(work_dir) or {}
    return RunResult(
        work_dir=work_dir,
        config_file=config_file,
        config_name=osp.splitext(osp.basename(config_file))[0],
        fingerprint=config_fingerprint(cfg),
        method=describe_method(model),
        pair=pair,
        dataset=describe_dataset(cfg.get('train_dataloader')),
        seed=seed,
        batch_size=(cfg.get('train_dataloader') or {}).get('batch_size'),
        world_size=world_size,
        schedule=schedule,
        max_epochs=max_steps,
        last_epoch=last_epoch,
        top1_last=top1.get(last_epoch),
        top1_best=top1.get(best_epoch),
        best_epoch=best_epoch,
        ece_last=last_metrics.get(ECE_KEY),
        teacher_top1=teacher_top1,
        teacher_sha256=teacher.get('sha256'),
        teacher_checkpoint=teacher.get('checkpoint'),
        wall_time=sum(times) if times else None,
        trained=bool(sessions),
        temperature=scaling.get('temperature'),
        ece_after_ts=(scaling.get('test') or {}).get('ece_after'))

