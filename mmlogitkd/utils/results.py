"""Read MMEngine work directories and summarise runs into result tables.

A work directory written by ``tools/train.py`` (MMEngine 0.10.x) holds::

    <work_dir>/<config name>.py                  the dumped, flattened config
    <work_dir>/teacher_eval.json                 TeacherEvalHook (distillation)
    <work_dir>/<YYYYMMDD_HHMMSS>/<same>.log      one session (run or resume)
    <work_dir>/<YYYYMMDD_HHMMSS>/vis_data/scalars.json

``scalars.json`` has one JSON object per line: training lines carry ``lr``,
``loss``, ``loss_*``, ``epoch``, ``iter`` and ``step`` (the global
iteration); validation lines carry the metrics (``accuracy/top1``,
``calibration/ece``, ...) and ``step`` (the epoch, or the iteration for
iteration-based loops); the teacher evaluation adds ``teacher/<metric>`` at
step 0. A resumed run starts a new session folder; later sessions override
earlier values of the same step.

The reporting protocol these tables implement is described in
``docs/reporting.md``: last epoch, mean ± sample standard deviation over at
least three seeds; the best epoch only to compare with papers that report it
(METHODS.md §2 "Reported metric").
"""
import csv
import glob
import hashlib
import json
import os.path as osp
import re
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from statistics import mean, stdev
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

TOP1_KEY = 'accuracy/top1'
ECE_KEY = 'calibration/ece'
TEACHER_PREFIX = 'teacher/'
TEACHER_EVAL_FILE = 'teacher_eval.json'
_NON_METRIC_KEYS = {'step', 'time', 'data_time', 'epoch', 'iter'}

_SESSION_NAME = re.compile(r'^\d{8}_\d{6}$')
_LOG_TIME = re.compile(
    r'^(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}) - \S+ - [A-Z]+ - ')
_WORLD_SIZE = re.compile(r'^\s*GPU number: (\d+)\s*$')
_LAUNCHER = re.compile(r'^\s*Distributed launcher: (\S+)\s*$')
_SEED = re.compile(r'^\s*seed: (-?\d+)\s*$')
_TRAIN_LINE = re.compile(
    r'(Epoch|Iter)\(train\)\s*(\[\d+\])?\[\s*\d+/(\d+)\]')

#: Config keys that may differ between seeds of one experiment; they are
#: left out of the fingerprint that decides which runs are aggregated.
#: Paths are reduced to their file name (the same data or teacher may live in
#: different folders on different machines).
FINGERPRINT_IGNORED_KEYS = ('work_dir', 'launcher', 'resume', 'load_from',
                            'env_cfg', 'model_wrapper_cfg', 'randomness',
                            'log_level', 'default_hooks', 'visualizer',
                            'vis_backends')
FINGERPRINT_PATH_KEYS = ('data_root', 'data_prefix', 'ann_file',
                         'teacher_ckpt', 'cfg_path')


# --------------------------------------------------------------------------
# Sessions, scalars and logs
# --------------------------------------------------------------------------
@dataclass
class Session:
    """One MMEngine session (a run or a resume) inside a work directory.

    Attributes:
        folder: the ``<YYYYMMDD_HHMMSS>`` folder.
        log_file: its ``.log`` file, or None.
        scalars_file: its ``vis_data/scalars.json``, or None.
        start, end: first and last log timestamp.
        world_size: processes (``GPU number`` in MMEngine's banner).
        launcher: ``Distributed launcher`` (``none``, ``pytorch``, ...).
        seed: the seed in the banner (MMEngine draws one if none is set).
        iters_per_epoch: from ``Epoch(train) [e][ i/N]`` log lines.
        is_training: the session ran training iterations (test-only
            sessions of ``tools/test.py`` are not part of the history).
    """
    folder: str
    log_file: Optional[str] = None
    scalars_file: Optional[str] = None
    start: Optional[datetime] = None
    end: Optional[datetime] = None
    world_size: Optional[int] = None
    launcher: Optional[str] = None
    seed: Optional[int] = None
    iters_per_epoch: Optional[int] = None
    is_training: bool = False

    @property
    def wall_time(self) -> Optional[float]:
        """Seconds from the first to the last log line (1 s resolution)."""
        if self.start is None or self.end is None:
            return None
        return (self.end - self.start).total_seconds()


def read_scalars(path: str) -> List[Dict[str, Any]]:
    """Read a ``scalars.json`` (one JSON object per line).

    A truncated last line (a run killed while writing) is skipped with a
    warning; any other unreadable line is an error naming file and line.
    """
    records = []
    with open(path) as f:
        lines = f.read().splitlines()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            if number == len(lines):
                warnings.warn(f'{path}:{number}: skipping a truncated last '
                              'line.')
                continue
            raise ValueError(f'{path}:{number}: not a JSON object '
                             f'({error}).') from error
        if not isinstance(record, dict):
            raise ValueError(f'{path}:{number}: expected a JSON object, got '
                             f'{type(record).__name__}.')
        records.append(record)
    return records


def parse_log(path: str, session: Session) -> Session:
    """Fill ``session`` with what the MMEngine ``.log`` tells."""
    with open(path, errors='replace') as f:
        for line in f:
            stamp = _LOG_TIME.match(line)
            if stamp:
                moment = datetime.strptime(stamp.group(1),
                                           '%Y/%m/%d %H:%M:%S')
                session.start = session.start or moment
                session.end = moment
                train = _TRAIN_LINE.search(line)
                if train:
                    session.is_training = True
                    if train.group(1) == 'Epoch':
                        session.iters_per_epoch = int(train.group(3))
                continue
            for pattern, name, kind in ((_WORLD_SIZE, 'world_size', int),
                                        (_LAUNCHER, 'launcher', str),
                                        (_SEED, 'seed', int)):
                found = pattern.match(line)
                if found and getattr(session, name) is None:
                    setattr(session, name, kind(found.group(1)))
    return session


def find_sessions(work_dir: str) -> List[Session]:
    """The sessions of ``work_dir``, oldest first."""
    sessions = []
    for folder in sorted(glob.glob(osp.join(work_dir, '*'))):
        if not (osp.isdir(folder) and _SESSION_NAME.match(
                osp.basename(folder))):
            continue
        session = Session(folder=folder)
        logs = sorted(glob.glob(osp.join(folder, '*.log')))
        if logs:
            session.log_file = logs[-1]
            parse_log(session.log_file, session)
        scalars = osp.join(folder, 'vis_data', 'scalars.json')
        if osp.isfile(scalars):
            session.scalars_file = scalars
        if session.log_file or session.scalars_file:
            sessions.append(session)
    return sessions


def is_work_dir(path: str) -> bool:
    """Whether ``path`` holds at least one MMEngine session."""
    return osp.isdir(path) and bool(find_sessions(path))


def discover_work_dirs(paths: Iterable[str], max_depth: int = 3) -> List[str]:
    """Expand ``paths`` into work directories.

    A path that is a work directory is kept; any other directory is searched
    for work directories up to ``max_depth`` levels below it (so
    ``work_dirs/bench`` finds every run of a benchmark).
    """
    found = []
    for path in paths:
        if not osp.isdir(path):
            raise FileNotFoundError(f'work_dir "{path}" is not a directory.')
        if is_work_dir(path):
            found.append(path)
            continue
        children = []
        level = [path]
        for _ in range(max_depth):
            level = [child for parent in level
                     for child in sorted(glob.glob(osp.join(parent, '*')))
                     if osp.isdir(child)]
            runs = [child for child in level if is_work_dir(child)]
            children += runs
            level = [child for child in level if child not in runs]
        if not children:
            raise FileNotFoundError(
                f'no MMEngine run found in "{path}" (expected '
                '<work_dir>/<YYYYMMDD_HHMMSS>/*.log and vis_data/'
                'scalars.json, in it or in its sub-folders).')
        found += children
    return found


@dataclass
class RunHistory:
    """The logged scalars of one work directory, all sessions merged.

    Attributes:
        train: training records, sorted by ``step`` (the global iteration).
        val: ``step`` (epoch) -> validation metrics.
        teacher: ``teacher/<metric>`` scalars of the teacher evaluation.
        iters_per_epoch: iterations per epoch, if the log tells.
        sessions: the training sessions read (oldest first).
    """
    train: List[Dict[str, Any]] = field(default_factory=list)
    val: Dict[int, Dict[str, float]] = field(default_factory=dict)
    teacher: Dict[str, float] = field(default_factory=dict)
    iters_per_epoch: Optional[int] = None
    sessions: List[Session] = field(default_factory=list)


def load_history(work_dir: str) -> RunHistory:
    """Merge the scalars of every training session of ``work_dir``."""
    sessions = find_sessions(work_dir)
    if not sessions:
        raise FileNotFoundError(
            f'"{work_dir}" holds no MMEngine session (a <YYYYMMDD_HHMMSS> '
            'folder with a .log or vis_data/scalars.json).')
    history = RunHistory()
    train_by_step: Dict[int, Dict[str, Any]] = {}
    for session in sessions:
        records = read_scalars(session.scalars_file) \
            if session.scalars_file else []
        if any('iter' in record for record in records):
            session.is_training = True
        if not session.is_training:
            continue  # e.g. tools/test.py: not part of the training history
        history.sessions.append(session)
        if session.iters_per_epoch:
            history.iters_per_epoch = session.iters_per_epoch
        for record in records:
            step = record.get('step')
            if step is None:
                continue
            if 'iter' in record:
                train_by_step[int(step)] = record
                continue
            teacher = {k: v for k, v in record.items()
                       if k.startswith(TEACHER_PREFIX)}
            history.teacher.update(teacher)
            metrics = {k: v for k, v in record.items()
                       if k not in _NON_METRIC_KEYS and k not in teacher}
            if metrics:
                history.val.setdefault(int(step), {}).update(metrics)
    history.train = [train_by_step[s] for s in sorted(train_by_step)]
    history.val = dict(sorted(history.val.items()))
    return history


def training_curves(history: RunHistory,
                    keys: Sequence[str]) -> Tuple[Dict[str, List[Tuple[
                        float, float]]], Dict[str, str]]:
    """``key -> [(x, value)]`` for plotting, and the x-axis label per key.

    Training keys are placed at ``iteration / iters_per_epoch`` (fractional
    epochs, so they share the axis of the validation metrics, which are
    logged once per epoch); when the iterations per epoch are unknown
    (iteration-based loops) both use the logged ``step``.
    """
    curves, x_labels = {}, {}
    per_epoch = history.iters_per_epoch
    by_epoch = any('epoch' in record for record in history.train)
    for key in keys:
        train_points = [(record['step'], record[key])
                        for record in history.train if key in record]
        if train_points:
            if per_epoch:
                train_points = [(step / per_epoch, value)
                                for step, value in train_points]
            curves[key] = train_points
            x_labels[key] = 'epoch' if per_epoch else 'iteration'
            continue
        val_points = [(step, metrics[key])
                      for step, metrics in history.val.items()
                      if key in metrics]
        if val_points:
            curves[key] = val_points
            x_labels[key] = 'epoch' if by_epoch else 'iteration'
    return curves, x_labels


def default_curve_keys(histories: Iterable[RunHistory]) -> List[str]:
    """Every loss term, ``lr`` and top-1, in that order."""
    losses = []
    for history in histories:
        for record in history.train:
            for key in record:
                if key.startswith('loss') and key not in losses:
                    losses.append(key)
    # 'loss' (the total) first, then the terms in the order they appeared
    losses.sort(key=lambda k: (k != 'loss', ))
    return losses + ['lr', TOP1_KEY]


# --------------------------------------------------------------------------
# One run
# --------------------------------------------------------------------------
def find_config(work_dir: str) -> str:
    """The config MMEngine dumped into ``work_dir``.

    ``<work_dir>/<config name>.py``; if there are several, the newest; if
    there is none, the last session's ``vis_data/config.py``.
    """
    candidates = sorted(glob.glob(osp.join(work_dir, '*.py')),
                        key=osp.getmtime)
    if candidates:
        return candidates[-1]
    for session in reversed(find_sessions(work_dir)):
        dumped = osp.join(session.folder, 'vis_data', 'config.py')
        if osp.isfile(dumped):
            return dumped
    raise FileNotFoundError(
        f'no dumped config in "{work_dir}" (expected <work_dir>/<config '
        'name>.py, written by MMEngine when the run starts).')


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
    """Loss types of ``model.distill_losses``, ``+LS`` for standardization.

    A plain classifier (or a distiller without distillation loss) is
    ``baseline``: the student trained on labels alone.
    """
    losses = model_cfg.get('distill_losses') or {}
    if not losses:
        return 'baseline'
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

    @property
    def finished(self) -> bool:
        """The last validation is at the end of the schedule."""
        return (self.max_epochs is not None and self.last_epoch is not None
                and self.last_epoch >= self.max_epochs)


def read_teacher_eval(work_dir: str) -> Dict[str, Any]:
    """``<work_dir>/teacher_eval.json``, or ``{}`` if the run has none."""
    path = osp.join(work_dir, TEACHER_EVAL_FILE)
    if not osp.isfile(path):
        return {}
    with open(path) as f:
        try:
            record = json.load(f)
        except json.JSONDecodeError as error:
            raise ValueError(f'{path}: not valid JSON ({error}).') from error
    if not isinstance(record, dict):
        raise ValueError(f'{path}: expected a JSON object.')
    return record


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
    pair = (f'{describe_backbone(model.get("teacher"))} → '
            f'{describe_backbone(model.get("student"))}'
            if is_distiller else describe_backbone(model))
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
        wall_time=sum(times) if times else None)


# --------------------------------------------------------------------------
# Aggregation over seeds
# --------------------------------------------------------------------------
@dataclass
class Stat:
    """Mean and sample standard deviation (n - 1) of the available values."""
    values: List[float]

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def mean(self) -> Optional[float]:
        return mean(self.values) if self.values else None

    @property
    def std(self) -> Optional[float]:
        return stdev(self.values) if len(self.values) > 1 else None

    def format(self, scale: float = 1.0, digits: int = 2) -> str:
        if not self.values:
            return '–'
        text = f'{self.mean * scale:.{digits}f}'
        if self.std is not None:
            text += f' ± {self.std * scale:.{digits}f}'
        return text


def _values(runs: Sequence[RunResult], name: str) -> Stat:
    return Stat([getattr(r, name) for r in runs
                 if getattr(r, name) is not None])


@dataclass
class GroupSummary:
    """Runs of one experiment that differ only in their seed."""
    runs: List[RunResult]

    @property
    def first(self) -> RunResult:
        return self.runs[0]

    @property
    def seeds(self) -> List[Optional[int]]:
        return [r.seed for r in self.runs]

    @property
    def top1_last(self) -> Stat:
        return _values(self.runs, 'top1_last')

    @property
    def top1_best(self) -> Stat:
        return _values(self.runs, 'top1_best')

    @property
    def ece_last(self) -> Stat:
        return _values(self.runs, 'ece_last')

    @property
    def wall_time(self) -> Stat:
        return _values(self.runs, 'wall_time')

    @property
    def batch(self) -> str:
        batch = self.first.batch_size
        gpus = self.first.world_size
        return f'{batch if batch is not None else "?"} × ' \
            f'{gpus if gpus is not None else "?"}'


def group_key(run: RunResult) -> tuple:
    """Runs with equal keys are seeds of one experiment."""
    return (run.method, run.pair, run.dataset, run.schedule, run.batch_size,
            run.world_size, run.teacher_sha256, run.fingerprint)


def summarize_runs(runs: Sequence[RunResult],
                   include_unfinished: bool = False
                   ) -> Tuple[List[GroupSummary], List[RunResult]]:
    """Group runs into experiments.

    Args:
        runs: the runs to summarise.
        include_unfinished: also aggregate runs whose last validation is
            before the end of their schedule (their "last epoch" is not the
            last epoch of the recipe).

    Returns:
        tuple: the groups (sorted by dataset, pair, method) and the runs left
        out as unfinished.
    """
    groups: Dict[tuple, List[RunResult]] = {}
    skipped = []
    for run in runs:
        if not run.finished and not include_unfinished:
            skipped.append(run)
            continue
        groups.setdefault(group_key(run), []).append(run)
    summaries = [GroupSummary(sorted(members, key=lambda r: (
        r.seed is None, r.seed if r.seed is not None else 0, r.work_dir)))
                 for members in groups.values()]
    summaries.sort(key=lambda g: (g.first.dataset, g.first.pair,
                                  g.first.method != 'baseline',
                                  g.first.method, g.first.config_name))
    for summary in summaries:
        seeds = [s for s in summary.seeds if s is not None]
        if len(set(seeds)) != len(seeds):
            warnings.warn(
                f'{summary.first.config_name}: several runs share a seed '
                f'({seeds}); they are aggregated but are not independent.')
    return summaries, skipped


def _hours(seconds: Optional[float]) -> str:
    if seconds is None:
        return '–'
    seconds = int(round(seconds))
    return f'{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}'


def _teacher_text(group: GroupSummary) -> Tuple[str, str]:
    top1 = _values(group.runs, 'teacher_top1')
    sha = group.first.teacher_sha256
    # one teacher for all seeds: its number once, not "± 0.00"
    text = f'{top1.mean:.2f}' if top1.n and len(set(top1.values)) == 1 \
        else top1.format()
    return text, (sha[:12] if sha else '–')


#: Columns of the Markdown table and the CSV file.
MARKDOWN_HEADER = ('dataset', 'pair', 'method', 'config', 'schedule',
                   'batch × GPUs', 'seeds', 'top-1 last', 'top-1 best',
                   'ECE last (%)', 'teacher top-1', 'teacher sha256',
                   'wall time')
CSV_HEADER = ('dataset', 'pair', 'method', 'config', 'config_id',
              'schedule', 'batch_size_per_gpu', 'gpus', 'seeds', 'num_runs',
              'top1_last_mean', 'top1_last_std', 'top1_best_mean',
              'top1_best_std', 'best_epochs', 'ece_last_pct_mean',
              'ece_last_pct_std', 'teacher_top1', 'teacher_sha256',
              'wall_time_s_mean', 'work_dirs')


def _config_label(group: GroupSummary, groups: Sequence[GroupSummary]) -> str:
    """Config name, with its fingerprint when another group shares it."""
    name = group.first.config_name
    same_name = [g for g in groups if g.first.config_name == name]
    return f'{name} ({group.first.fingerprint})' if len(same_name) > 1 \
        else name


def to_markdown(groups: Sequence[GroupSummary],
                skipped: Sequence[RunResult] = ()) -> str:
    """The results table in Markdown, with a note on the protocol."""
    lines = [
        '| ' + ' | '.join(MARKDOWN_HEADER) + ' |',
        '|' + '|'.join('---' for _ in MARKDOWN_HEADER) + '|',
    ]
    for group in groups:
        run = group.first
        teacher_top1, teacher_sha = _teacher_text(group)
        seeds = ', '.join('?' if s is None else str(s) for s in group.seeds)
        cells = (run.dataset, run.pair, run.method,
                 _config_label(group, groups), run.schedule, group.batch,
                 seeds, group.top1_last.format(), group.top1_best.format(),
                 group.ece_last.format(scale=100), teacher_top1, teacher_sha,
                 _hours(group.wall_time.mean))
        lines.append('| ' + ' | '.join(str(c) for c in cells) + ' |')
    lines += [
        '',
        'top-1 in %, mean ± sample std over seeds (std needs two or more '
        'seeds). "top-1 last": the last epoch, the number to compare '
        'methods by; "top-1 best": the best epoch of each run (selected on '
        'the evaluation set, optimistic), only for comparison with papers '
        'that report it. ECE: 15-bin expected calibration error at the '
        'last epoch. Wall time: mean per run. See docs/reporting.md.',
    ]
    if skipped:
        lines += ['', 'Not aggregated (unfinished: last validated epoch < '
                  'schedule):', '']
        lines += [f'- `{r.work_dir}`: epoch {r.last_epoch} of '
                  f'{r.max_epochs}' for r in skipped]
    return '\n'.join(lines) + '\n'


def _number(value: Optional[float], scale: float = 1.0) -> str:
    return '' if value is None else f'{value * scale:.6g}'


def write_csv(groups: Sequence[GroupSummary], path: str) -> str:
    """The results table as CSV (raw numbers, one row per experiment)."""
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(CSV_HEADER)
        for group in groups:
            run = group.first
            last, best, ece = group.top1_last, group.top1_best, \
                group.ece_last
            writer.writerow([
                run.dataset, run.pair, run.method, run.config_name,
                run.fingerprint, run.schedule,
                '' if run.batch_size is None else run.batch_size,
                '' if run.world_size is None else run.world_size,
                ' '.join('?' if s is None else str(s) for s in group.seeds),
                len(group.runs),
                _number(last.mean), _number(last.std),
                _number(best.mean), _number(best.std),
                ' '.join(str(r.best_epoch) for r in group.runs),
                _number(ece.mean, 100), _number(ece.std, 100),
                _number(_values(group.runs, 'teacher_top1').mean),
                run.teacher_sha256 or '',
                _number(group.wall_time.mean),
                ' '.join(r.work_dir for r in group.runs),
            ])
    return path
