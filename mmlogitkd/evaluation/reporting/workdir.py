"""Reading MMEngine work directories.

A work directory written by ``tools/train.py`` (MMEngine 0.10.x) holds::

    <work_dir>/<config name>.py                  the dumped, flattened config
    <work_dir>/teacher_eval.json                 TeacherEvalHook (distillation)
    <work_dir>/<YYYYMMDD_HHMMSS>/<same>.log      one session (run or resume)
    <work_dir>/<YYYYMMDD_HHMMSS>/vis_data/scalars.json

``scalars.json`` has one JSON object per line: training lines carry ``lr``,
``loss``, ``loss_*``, the losses' diagnostics ``<method>/<name>``, ``epoch``,
``iter`` and ``step`` (the global iteration); validation lines carry the
metrics (``accuracy/top1``, ``calibration/ece``, ...) and ``step`` (the
epoch, or the iteration for iteration-based loops); the teacher evaluation
adds ``teacher/<metric>`` at step 0. A resumed run starts a new session
folder; later sessions override earlier values of the same step.
"""
import glob
import json
import os.path as osp
import re
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from mmlogitkd.engine.hooks.teacher_eval_hook import \
    RESULT_FILE as TEACHER_EVAL_FILE

TOP1_KEY = 'accuracy/top1'
ECE_KEY = 'calibration/ece'
TEACHER_PREFIX = 'teacher/'
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


def find_config(work_dir: str) -> str:
    """The config MMEngine dumped into ``work_dir``.

    ``<work_dir>/<config name>.py``; if there are several, the newest; if
    there is none, the last session's ``vis_data/config.py``. A ``.py`` next
    to a ``.pth`` of the same name is an exported student's config
    (``distill2student.py``, ``temperature_scaling.py``), not the run's.
    """
    candidates = sorted(
        (path for path in glob.glob(osp.join(work_dir, '*.py'))
         if not osp.isfile(osp.splitext(path)[0] + '.pth')),
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

