"""`make bench` and `make demo`: every method on the embedded dataset, on a
CPU, one pipeline and one report.

1. generate the embedded CIFAR-100-format dataset (no download;
   ``docs/embedded_dataset.md``);
2. take the teacher (``--teacher``: the bench's own, shipped in
   checkpoints/, for the bench and demo presets; ``--teacher train`` trains
   ``configs/bench/teacher.py`` once) and measure it on the training views
   (``view_robustness.py``: clean, weak and
   strong test accuracy, confidence on weak-view training images);
3. for every seed: the resnet8 student alone (``configs/bench/alone.py``),
   then distilled with every method of :data:`mmlogitkd.methods.METHODS`
   that is ``in_bench`` (a leaf config per method is written into
   ``<work-dir>/configs/``: the bench pair, the method's CIFAR-100 base,
   the bench runtime);
4. equal compute: the student alone trained for as many epochs as fit in
   KD's measured time per iteration (without the cache);
5. post-hoc temperature scaling of every student
   (``temperature_scaling.py``: one temperature fitted on held-out images,
   another draw of the embedded dataset generated next to the data; never
   the test set);
6. the loss and step timings (``benchmark_losses.py``,
   ``benchmark_step.py``, as JSON);
7. ``report.md``: per method top-1 mean ± std over seeds, the paired gain
   over KD per seed, ECE before and after temperature scaling,
   convergence, the losses' diagnostics, timings, and the plots.

Every training is an ordinary ``tools/train.py`` run, so the bench measures
exactly what users run; ``--jobs N`` runs N of them at once
(:func:`run_trainings`). Every method of a seed shares one teacher pass per
pipeline through the exact teacher-logit cache (``model.teacher_cache``,
one folder per seed and pipeline under ``<work-dir>/teacher_cache``).
Finished runs are reused when the bench is run again with the same
settings (it resumes where it stopped); an unfinished training resumes from
its last checkpoint (saved every ``CHECKPOINT_EVERY`` epochs, only the
latest kept; ``tools/train.py --resume``, whose runs end bit-identical to
uninterrupted ones: tests/test_tools/test_resume_equivalence.py), other
unfinished work is done again; a run folder holding other settings is an
error (use another ``--work-dir``).

Schedules follow ``--epochs`` by fixed rules: lr x0.1 at 150/240, 180/240
and 210/240 of the epochs (the CIFAR recipe's decay points), the DKD/AEKT
warm-up at its published share (20 of 240 epochs), at least one epoch each.

Presets (``--preset``): ``bench`` (the full benchmark), ``demo`` (what
``make demo`` runs in its 15-minute budget) and ``quick`` (a smoke test of
a minute or two). Any setting of a preset can be overridden by its flag.

Example::

    python tools/analysis/run_bench.py --work-dir work_dirs/bench
    python tools/analysis/run_bench.py --preset quick --methods KD CRLD \\
        --work-dir work_dirs/bench_quick
"""
import argparse
import dataclasses
import datetime
import json
import os
import os.path as osp
import platform
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from statistics import mean, median, stdev
from typing import Dict, List, Optional, Sequence, Tuple

ANALYSIS = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(osp.dirname(ANALYSIS))
if ANALYSIS not in sys.path:
    sys.path.insert(0, ANALYSIS)
if REPO not in sys.path:
    sys.path.insert(0, REPO)

import mmlogitkd  # noqa: E402,F401  (compat first)
import plot_curves  # noqa: E402
import summarize_results  # noqa: E402
import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402

from mmlogitkd.checkpoint import CheckpointError  # noqa: E402
from mmlogitkd.checkpoint.published import (  # noqa: E402
    install_published_run, last_checkpoint as run_last_checkpoint)
from mmlogitkd.evaluation.reporting import (TOP1_KEY,  # noqa: E402
                                            GroupSummary,
                                            config_fingerprint, find_config,
                                            load_history, read_run,
                                            summarize_runs)
from mmlogitkd.evaluation.temperature_scaling import \
    RESULT_FILE as SCALING_FILE  # noqa: E402  (what the tool writes)
from mmlogitkd.methods import METHODS, Method, get_method  # noqa: E402
from mmlogitkd.utils.launch import dataloader_options  # noqa: E402

BENCH_CONFIGS = osp.join(REPO, 'configs', 'bench')
#: The bench's teacher, published with tools/model_converters/publish_run.py
#: (checkpoints/README.md says how it was made).
SHIPPED_TEACHER = osp.join('checkpoints', 'embedded_cifar100',
                           'resnet20_120e')
#: ``--teacher train``: train the teacher even if the preset names one.
TRAIN_TEACHER = 'train'
TRAIN = osp.join(REPO, 'tools', 'train.py')
GENERATOR = osp.join(REPO, 'tools', 'dataset_converters',
                     'generate_embedded_cifar100.py')
LOSS_BENCH = osp.join(ANALYSIS, 'benchmark_losses.py')
STEP_BENCH = osp.join(ANALYSIS, 'benchmark_step.py')
VIEW_TOOL = osp.join(ANALYSIS, 'view_robustness.py')
SCALING_TOOL = osp.join(ANALYSIS, 'temperature_scaling.py')

#: The file every run folder records its settings in (reuse check).
SPEC_FILE = 'bench_run.json'
#: Report label of the student alone, and of the equal-compute runs.
ALONE = 'student alone'
#: The method every other one is compared with, and whose time the
#: equal-compute student alone gets.
REFERENCE = 'KD'
#: Seed of the embedded dataset's second draw, the held-out images that
#: temperature scaling fits on (the data the runs train on is seed 0).
CALIBRATION_DATA_SEED = 1


@dataclass(frozen=True)
class Preset:
    """The settings of one kind of bench run (all overridable by flags)."""
    train_per_class: int
    test_per_class: int
    teacher_epochs: int
    epochs: int
    seeds: Tuple[int, ...]
    methods: Optional[Tuple[str, ...]]  # names; None: every in_bench method
    equal_compute: bool
    timings: bool
    val_interval: int
    #: None: the repository's data/embedded_cifar100_<preset>
    data_root: Optional[str] = None
    #: A published teacher run (tools/model_converters/publish_run.py),
    #: relative to the repository, used instead of training one; None:
    #: train the teacher for ``teacher_epochs``.
    teacher: Optional[str] = None
    #: Student trainings run at once, each with ``cores // jobs`` compute
    #: threads (:func:`run_trainings`).
    jobs: int = 1
    #: Channels-last convolutions in every training (the distillers'
    #: ``model.channels_last``, the classifiers' ChannelsLastHook).
    channels_last: bool = False
    #: Images per class of the held-out set temperature scaling fits on:
    #: the embedded dataset drawn again with seed
    #: :data:`CALIBRATION_DATA_SEED` into ``<data_root>_calibration``.
    calibration_per_class: int = 20


#: ``bench``: converged runs on enough data to rank the methods, in the
#: regime where KD and DKD show CIFAR-sized gains (the calibration in
#: docs/benchmark.md), with its own teacher as shipped in checkpoints/
#: (``--teacher train`` trains it again), two trainings at once and
#: channels-last, to fit in its time budget. ``demo``: ``make demo`` in its
#: budget, on the bench's
#: data with the bench's teacher as shipped in checkpoints/ (converged and
#: confident, which no teacher trained within the demo's minutes is).
#: ``quick``: a smoke test (tests run it).
PRESETS: Dict[str, Preset] = {
    'bench': Preset(train_per_class=50, test_per_class=100,
                    teacher_epochs=120, epochs=60, seeds=(0, 1, 2),
                    methods=None, equal_compute=True, timings=True,
                    val_interval=5, teacher=SHIPPED_TEACHER, jobs=2,
                    channels_last=True),
    'demo': Preset(train_per_class=50, test_per_class=100,
                   teacher_epochs=120, epochs=20, seeds=(0, ),
                   methods=('KD', 'KD+LS', 'CRLD'), equal_compute=False,
                   timings=False, val_interval=5,
                   data_root=osp.join('data', 'embedded_cifar100_bench'),
                   teacher=SHIPPED_TEACHER),
    'quick': Preset(train_per_class=2, test_per_class=1, teacher_epochs=1,
                    epochs=1, seeds=(0, ), methods=None, equal_compute=False,
                    timings=True, val_interval=1, calibration_per_class=1),
}


# --------------------------------------------------------------------------
# Schedule rules
# --------------------------------------------------------------------------
def lr_milestones(epochs: int) -> List[int]:
    """lr x0.1 at the CIFAR recipe's points, 150/240, 180/240 and 210/240 of
    the schedule, rounded, at least 1, without repeats."""
    points = [max(1, (epochs * share + 120) // 240)
              for share in (150, 180, 210)]
    return sorted(set(p for p in points if p <= epochs)) or [epochs]


def warmup_epochs(epochs: int) -> int:
    """The DKD/AEKT warm-up keeps its published share of the schedule (20 of
    240 epochs): ``round(epochs / 12)``, at least 1."""
    return max(1, (epochs + 6) // 12)


def equal_compute_epochs(epochs: int, method_seconds: float,
                         alone_seconds: float) -> int:
    """Epochs of the student alone that take as long as ``epochs`` epochs of
    the method (from the seconds per iteration of each)."""
    if method_seconds <= 0 or alone_seconds <= 0:
        raise ValueError(f'times must be positive, got {method_seconds} and '
                         f'{alone_seconds} seconds.')
    return max(1, round(epochs * method_seconds / alone_seconds))


#: Epochs between a training's checkpoints (only the latest is kept, and the
#: last epoch is always saved): what a bench stopped mid-run loses at most.
CHECKPOINT_EVERY = 10


def schedule_options(epochs: int, val_interval: int) -> List[str]:
    return [f'train_cfg.max_epochs={epochs}',
            f'train_cfg.val_interval={min(val_interval, epochs)}',
            f'param_scheduler.milestones={lr_milestones(epochs)}',
            'default_hooks.checkpoint.interval='
            f'{min(CHECKPOINT_EVERY, epochs)}']


def iteration_seconds(work_dirs: Sequence[str]) -> Optional[float]:
    """Median seconds per training iteration of these runs.

    The median of MMEngine's logged ``time`` (the mean iteration time of each
    logging interval) over all their intervals: on a shared machine one busy
    moment can make a whole run several times slower, which a run's wall
    time keeps and the median leaves out.
    """
    times = [record['time'] for work_dir in work_dirs
             for record in load_history(work_dir).train if 'time' in record]
    return median(times) if times else None


# --------------------------------------------------------------------------
# Configs
# --------------------------------------------------------------------------
def method_config(method: Method, folder: str) -> str:
    """Write the bench leaf of ``method`` into ``folder``; return its path."""
    text = (
        f'# Written by tools/analysis/run_bench.py: {method.name} '
        f'({method.paper}) on the bench pair,\n'
        f'# with the CIFAR-100 settings of its method base.\n'
        '_base_ = [\n'
        f"    '{osp.join(BENCH_CONFIGS, 'bench_pair.py')}',\n"
        f"    '{method.base('cifar100')}',\n"
        f"    '{osp.join(BENCH_CONFIGS, 'bench_runtime.py')}',\n"
        ']\n'
        'model = dict(student=_base_.student, teacher=_base_.teacher,\n'
        '             teacher_ckpt=_base_.teacher_ckpt)\n')
    return write_leaf(osp.join(folder, f'{method.key}.py'), text)


def write_leaf(path: str, text: str) -> str:
    """Write a generated leaf config unless it already holds ``text`` (an
    unchanged file keeps its time stamp); return its path."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    if not osp.isfile(path) or open(path).read() != text:
        with open(path, 'w') as f:
            f.write(text)
    return path


def classifier_config(config: str, folder: str, channels_last: bool) -> str:
    """``config`` (a plain classifier of configs/bench), or with
    ``channels_last`` a leaf in ``folder`` that adds
    :class:`~mmlogitkd.engine.hooks.ChannelsLastHook` to it."""
    if not channels_last:
        return config
    name = osp.splitext(osp.basename(config))[0]
    text = (f'# Written by tools/analysis/run_bench.py: {name}.py with '
            'channels-last convolutions.\n'
            f"_base_ = ['{config}']\n"
            "custom_hooks = _base_.custom_hooks + "
            "[dict(type='ChannelsLastHook')]\n")
    return write_leaf(osp.join(folder, f'{name}_channels-last.py'), text)


@dataclass
class BenchRun:
    """One kind of training run of the bench."""
    name: str          # report label and --methods name
    config: str        # config file
    slug: str          # run folder prefix (<slug>_seed<k>)
    method: Optional[Method] = None

    @property
    def distils(self) -> bool:
        return self.method is not None


def method_runs(names: Sequence[str], folder: str) -> List[BenchRun]:
    return [BenchRun(m.name, method_config(m, folder), m.key, m)
            for m in (get_method(name) for name in names)]


def loss_has_warmup(config: str) -> Optional[str]:
    """The ``model.distill_losses`` entry with an epoch warm-up, or None."""
    cfg = Config.fromfile(config)
    for name, loss in cfg.model.get('distill_losses', {}).items():
        if 'warmup_epochs' in loss:
            return name
    return None


# --------------------------------------------------------------------------
# Arguments
# --------------------------------------------------------------------------
def bench_method_names() -> Tuple[str, ...]:
    return tuple(m.name for m in METHODS if m.in_bench)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='make bench / make demo: teacher, student alone and '
        'every method on the embedded dataset, into one report.')
    parser.add_argument('--preset', choices=sorted(PRESETS), default='bench',
                        help='the settings to start from (default: bench)')
    parser.add_argument('--quick', action='store_true',
                        help='same as --preset quick')
    parser.add_argument('--work-dir', default=None,
                        help='folder for every run, table, plot and the '
                        'report (default: work_dirs/<preset>)')
    parser.add_argument('--seeds', nargs='+', type=int)
    parser.add_argument('--epochs', type=int, help='student epochs')
    parser.add_argument('--teacher-epochs', type=int,
                        help='train the teacher for this many epochs')
    parser.add_argument('--teacher', metavar='DIR|train',
                        help='a published teacher run to use instead of '
                        'training one (tools/model_converters/'
                        'publish_run.py; the demo uses the shipped '
                        f'{SHIPPED_TEACHER}), or "{TRAIN_TEACHER}" to train '
                        'one')
    parser.add_argument('--methods', nargs='+', metavar='METHOD',
                        help='methods to distil with (names of '
                        'mmlogitkd.methods, e.g. KD CRLD); the student alone '
                        'is always trained')
    parser.add_argument('--data-root',
                        help='where the embedded dataset is generated')
    parser.add_argument('--train-per-class', type=int)
    parser.add_argument('--test-per-class', type=int)
    parser.add_argument('--calibration-per-class', type=int,
                        help='images per class of the held-out set '
                        'temperature scaling fits on (bench preset: 20)')
    parser.add_argument('--equal-compute',
                        action=argparse.BooleanOptionalAction)
    parser.add_argument('--timings', action=argparse.BooleanOptionalAction,
                        help='run the loss and step timings')
    parser.add_argument('--workers', type=int, default=0,
                        help='data-loader workers of every run (default 0: '
                        'the loader only decodes, and in the training '
                        'process that is faster on a 2-core CPU than worker '
                        'processes competing with the compute threads; '
                        'docs/benchmark.md#the-training-loop-against-the-'
                        'compute-floor)')
    parser.add_argument('--jobs', type=int,
                        help='student trainings to run at once, each with '
                        'cores / jobs compute threads (bench preset: 2)')
    parser.add_argument('--channels-last',
                        action=argparse.BooleanOptionalAction,
                        help='channels-last convolutions in every training '
                        '(bench preset: on)')
    parser.add_argument('--teacher-cache',
                        action=argparse.BooleanOptionalAction, default=True,
                        help='share one teacher pass per seed and pipeline '
                        '(default: on)')
    args = parser.parse_args(argv)
    if args.quick:
        args.preset = 'quick'
    preset = PRESETS[args.preset]
    if args.teacher_epochs is not None and args.teacher is None:
        args.teacher = TRAIN_TEACHER  # asking for epochs means training
    if args.teacher_epochs is not None and args.teacher != TRAIN_TEACHER:
        parser.error('--teacher-epochs trains a teacher, --teacher '
                     f'{args.teacher} uses a published one: give one of them.')
    for field in dataclasses.fields(Preset):
        if getattr(args, field.name, None) is None:
            value = getattr(preset, field.name)
            if field.name in ('data_root', 'teacher') and value is not None:
                value = osp.join(REPO, value)  # the preset's are the repo's
            setattr(args, field.name, value)
    args.seeds = list(args.seeds)
    names = args.methods or bench_method_names()
    try:
        args.methods = [get_method(name).name for name in names]
    except KeyError as error:
        parser.error(str(error))
    args.work_dir = osp.abspath(args.work_dir or
                                osp.join('work_dirs', args.preset))
    if args.data_root is None:
        args.data_root = osp.join(args.work_dir, 'data') \
            if args.preset == 'quick' else \
            osp.join(REPO, 'data', f'embedded_cifar100_{args.preset}')
    args.data_root = osp.abspath(args.data_root)
    if args.teacher == TRAIN_TEACHER:
        args.teacher = None
    elif args.teacher is not None:
        args.teacher = osp.abspath(args.teacher)
    for name in ('epochs', 'teacher_epochs', 'train_per_class',
                 'test_per_class', 'calibration_per_class', 'val_interval',
                 'jobs'):
        if getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be >= 1, got '
                         f'{getattr(args, name)}.')
    if args.workers < 0:
        parser.error(f'--workers must be >= 0, got {args.workers}.')
    if len(set(args.seeds)) != len(args.seeds):
        parser.error(f'--seeds must be distinct, got {args.seeds}.')
    return args


# --------------------------------------------------------------------------
# Running tools, reusing finished work
# --------------------------------------------------------------------------
class Clock:
    """When the bench started; prints as the seconds since then."""

    def __init__(self):
        self.start = time.time()
        self.start_text = datetime.datetime.now().strftime('%H:%M')

    def __str__(self) -> str:
        return f'[{time.time() - self.start:6.0f}s]'


#: Lines of a training's output shown as progress.
PROGRESS = ('Epoch(train)', 'Epoch(val)', 'Error', 'Teacher (evaluated',
            'WARNING', 'Teacher-logit cache, epoch')


def progress_text(line: str, show: Sequence[str]) -> Optional[str]:
    """The part of a tool's output line to echo, or None.

    MMEngine's log lines start with a time stamp and a logger name
    (``2026/12/01 14:55:17 - mmengine - INFO - ``): only the message is
    shown. Of a validation only its result line is shown (not the
    per-batch eta lines); training lines come once per logging interval,
    so a run shows its progress (epoch, eta, loss) while it trains.
    """
    if not any(marker in line for marker in show):
        return None
    if 'Epoch(val)' in line and 'accuracy/top1' not in line:
        return None
    text = line.rstrip()
    return text.split(' - ', 3)[-1] if ' - ' in text else text


#: Serialise the echo, and the config parsing, of trainings that run at
#: once.
_PRINT_LOCK = threading.Lock()
_CONFIG_LOCK = threading.Lock()


def echo(text: str) -> None:
    with _PRINT_LOCK:
        print(text, flush=True)


def run_command(cmd: Sequence[str], log_path: str,
                show: Sequence[str] = (), prefix: str = '',
                threads: Optional[int] = None, append: bool = False) -> str:
    """Run ``cmd``, write its output to ``log_path``; echo lines containing
    any of ``show`` (progress, after ``prefix``) and fail naming the log on
    error.

    Args:
        threads: the compute threads of the command (``OMP_NUM_THREADS``);
            None: the environment's.
        append: add to ``log_path`` instead of starting it again.

    Returns:
        str: everything the command printed.
    """
    echo(prefix + '$ ' + ' '.join(cmd))
    env = None if threads is None else \
        dict(os.environ, OMP_NUM_THREADS=str(threads))
    output = []
    with open(log_path, 'a' if append else 'w') as log:
        process = subprocess.Popen(list(cmd), stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True,
                                   env=env)
        for line in process.stdout:
            log.write(line)
            output.append(line)
            text = progress_text(line, show)
            if text is not None:
                echo(prefix + '    ' + text)
        if process.wait() != 0:
            tail = ''.join(output[-15:])
            raise SystemExit(f'failed (exit {process.returncode}): '
                             f'{" ".join(cmd)}\n{tail}\nFull log: {log_path}')
    return ''.join(output)


def prepare_folder(folder: str, spec: dict, is_done) -> bool:
    """Decide whether the work of ``folder`` can be reused.

    Args:
        folder: the folder of one run or timing.
        spec: everything that defines its result (command, settings).
        is_done: ``is_done(folder) -> bool``, the work is complete.

    Returns:
        bool: True to reuse the folder as it is; False when the caller must
        (re)do the work in the (re)created, empty folder.
    """
    spec_path = osp.join(folder, SPEC_FILE)
    if osp.isdir(folder):
        recorded = recorded_spec(folder)
        if recorded != spec:
            changed = sorted(k for k in set(spec) | set(recorded or {})
                             if (recorded or {}).get(k) != spec.get(k))
            raise SystemExit(
                f'"{folder}" holds work done with other settings '
                f'(differs in: {", ".join(changed) or SPEC_FILE}); use '
                'another --work-dir, or delete that folder to redo it.')
        if is_done(folder):
            return True
        echo(f'    unfinished, starting again: {folder}')
        shutil.rmtree(folder)
    os.makedirs(folder)
    with open(spec_path, 'w') as f:
        json.dump(spec, f, indent=2, sort_keys=True)
    return False


def recorded_spec(folder: str) -> Optional[dict]:
    """The settings ``folder``'s work was started with (None: no record)."""
    spec_path = osp.join(folder, SPEC_FILE)
    if not osp.isfile(spec_path):
        return None
    with open(spec_path) as f:
        return json.load(f)


def run_finished(work_dir: str) -> bool:
    """The run validated its last epoch and saved its last checkpoint."""
    if not osp.isfile(osp.join(work_dir, 'last_checkpoint')):
        return False
    try:
        return read_run(work_dir).finished
    except (FileNotFoundError, ValueError):
        return False


def resumable(work_dir: str, spec: dict) -> bool:
    """``work_dir`` holds an unfinished training of exactly ``spec`` that
    saved a checkpoint (a bench stopped mid-run)."""
    if not osp.isfile(osp.join(work_dir, 'last_checkpoint')):
        return False
    if recorded_spec(work_dir) != spec:
        return False  # prepare_folder names the difference
    return not run_finished(work_dir)


def last_checkpoint(work_dir: str) -> str:
    try:
        return run_last_checkpoint(work_dir)
    except CheckpointError as error:
        raise SystemExit(f'{error}; delete the run folder to redo it.')


def train(run: BenchRun, work_dir: str, options: List[str], data_spec: dict,
          clock: Clock, prefix: str = '',
          threads: Optional[int] = None) -> str:
    """Train ``run`` with ``tools/train.py`` into ``work_dir`` unless a
    finished run with the same settings is already there (``prefix`` and
    ``threads``: see :func:`run_command`)."""
    with _CONFIG_LOCK:  # MMEngine's config parsing is not thread-safe
        cfg = Config.fromfile(run.config)
        cfg.merge_from_dict(_options_dict(options))
        fingerprint = config_fingerprint(cfg.to_dict())
    spec = dict(config=osp.relpath(run.config, REPO)
                if run.config.startswith(REPO) else osp.basename(run.config),
                fingerprint=fingerprint, options=options, data=data_spec)
    echo(f'\n{prefix}{clock} {run.name}: {osp.basename(work_dir)}')
    resume = resumable(work_dir, spec)
    if resume:
        echo(prefix + '    unfinished, resuming from its last checkpoint')
    elif prepare_folder(work_dir, spec, run_finished):
        echo(prefix + '    finished before, reusing')
        return work_dir
    run_command([sys.executable, TRAIN, run.config, '--work-dir', work_dir]
                + (['--resume'] if resume else []) + ['--cfg-options']
                + options, osp.join(work_dir, 'train_output.log'),
                show=PROGRESS, prefix=prefix, threads=threads, append=resume)
    if not run_finished(work_dir):
        raise SystemExit(f'{work_dir}: tools/train.py returned but the run '
                         'did not validate its last epoch.')
    echo(f'{prefix}{clock} {run.name}: {osp.basename(work_dir)} done')
    return work_dir


@dataclass
class Training:
    """One training of the bench, and the one it must wait for."""
    run: BenchRun
    work_dir: str
    options: List[str]
    seed: int
    #: ``work_dir`` of the training that fills the teacher-logit cache this
    #: one reads (it starts after that one ends), or None.
    after: Optional[str] = None


def cache_fillers(trainings: Sequence[Training]) -> None:
    """Let every distillation wait for the first one of its seed and number
    of views, which computes the teacher's logits into the cache while the
    others read them (``Training.after``). The reference method goes first
    of its group, so its logged time includes the teacher (the equal-compute
    runs are sized by it)."""
    groups: Dict[tuple, List[Training]] = {}
    for training in trainings:
        if training.run.distils:
            key = (training.seed, training.run.method.num_views)
            groups.setdefault(key, []).append(training)
    for group in groups.values():
        group.sort(key=lambda t: t.run.name != REFERENCE)  # stable
        for training in group[1:]:
            training.after = group[0].work_dir


def compute_threads() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(
        os, 'sched_getaffinity') else (os.cpu_count() or 1)


def threads_per_job(jobs: int) -> int:
    """Compute threads of each of ``jobs`` trainings run at once."""
    return max(1, compute_threads() // jobs)


def run_trainings(trainings: Sequence[Training], jobs: int, data_spec: dict,
                  clock: Clock) -> None:
    """Train each of ``trainings``, up to ``jobs`` at once.

    With ``jobs`` 1 (or a single training) they run in order with the
    machine's threads, as a user runs ``tools/train.py``. With more, each
    gets ``cores // jobs`` compute threads (at least 1; ``jobs`` at most the
    number of trainings) and the next one to start is the first in order
    whose ``after`` has finished: on a 2-core CPU, two single-thread
    trainings of these small models do more work per minute than one with
    two threads, whose OpenMP pool stalls on small convolutions
    (docs/benchmark.md, "Channels-last and trainings at once"). Threads only
    change
    the order of floating-point sums, not what a run computes.

    A failure starts nothing new, lets the running trainings finish (their
    work is kept) and then stops the bench with the first error.
    """
    if jobs <= 1 or len(trainings) <= 1:
        for training in trainings:
            train(training.run, training.work_dir, training.options,
                  data_spec, clock)
        return
    jobs = min(jobs, len(trainings))  # one training alone gets every core
    threads = threads_per_job(jobs)
    width = max(len(osp.basename(t.work_dir)) for t in trainings)
    pending, running, done = list(trainings), {}, set()
    failure: Optional[BaseException] = None

    def start(pool, training):
        prefix = f'[{osp.basename(training.work_dir):<{width}}] '
        return pool.submit(train, training.run, training.work_dir,
                           training.options, data_spec, clock, prefix,
                           threads)

    with ThreadPoolExecutor(jobs) as pool:
        while pending or running:
            while failure is None and len(running) < jobs:
                ready = next((t for t in pending
                              if t.after is None or t.after in done), None)
                if ready is None:
                    break
                pending.remove(ready)
                running[start(pool, ready)] = ready
            if not running:
                break  # what is left waits for a failed training
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                training = running.pop(future)
                try:
                    future.result()
                    done.add(training.work_dir)
                except BaseException as error:  # noqa: B902  (SystemExit)
                    failure = failure or error
                    if pending:
                        echo(f'{clock} {osp.basename(training.work_dir)} '
                             'failed: starting nothing new, waiting for the '
                             'running trainings')
    if failure is not None:
        raise failure


def install_teacher(published: str, folder: str, data_spec: dict,
                    clock: Clock) -> Tuple[str, dict]:
    """Copy the published teacher run ``published`` into ``folder`` (once),
    after checking its checkpoint's hash and that it was trained on the
    data of this bench (the same generator settings). Returns the folder
    and the run's record."""
    print(f'\n{clock} teacher: the published run {osp.relpath(published)}',
          flush=True)
    try:
        record = install_published_run(published, folder,
                                       generator=data_spec['generator'])
    except CheckpointError as error:
        raise SystemExit(f'--teacher {published}: {error} (--teacher '
                         f'{TRAIN_TEACHER} trains one).')
    if not run_finished(folder):
        raise SystemExit(f'{folder}: the published run {published} is not a '
                         'finished run (its last validation is missing).')
    top1 = record['last_validation'].get(TOP1_KEY)
    print(f'    {record["epochs"]} epochs, top-1 {_fmt(top1)} %, sha256 '
          f'{record["sha256"][:12]}...', flush=True)
    return folder, record


def generate_data(out: str, train_per_class: int, test_per_class: int,
                  log_path: str, seed: int = 0) -> None:
    """Generate the embedded dataset into ``out`` (nothing is redone when it
    is there with the same settings)."""
    run_command([sys.executable, GENERATOR, '--out', out, '--seed', str(seed),
                 '--train-per-class', str(train_per_class),
                 '--test-per-class', str(test_per_class)],
                log_path, show=('Wrote', 'Up to date'))


def calibrate(work_dir: str, calibration_root: str, clock: Clock) -> None:
    """Temperature-scale the student of a finished run
    (``tools/analysis/temperature_scaling.py``: one temperature fitted on
    the held-out images of ``calibration_root``, the test set only
    measured); the report shows its ECE before and after. Done once per run
    folder and calibration set."""
    record = osp.join(work_dir, SCALING_FILE)
    if osp.isfile(record):
        with open(record) as f:
            if json.load(f).get('calibration_root') == calibration_root:
                return
    print(f'{clock} temperature scaling: {osp.basename(work_dir)}',
          flush=True)
    run_command([sys.executable, SCALING_TOOL, find_config(work_dir),
                 last_checkpoint(work_dir), '--work-dir', work_dir,
                 '--calibration-root', calibration_root, '--force'],
                osp.join(work_dir, 'temperature_scaling.log'))


def _options_dict(options: Sequence[str]) -> dict:
    """``k=v`` options as MMEngine's DictAction parses them."""
    from mmengine.config import DictAction
    parsed = {}
    for option in options:
        key, value = option.split('=', 1)
        parsed[key] = DictAction._parse_iterable(value)
    return parsed


def timed_tool(name: str, cmd: List[str], folder: str, clock: Clock) -> dict:
    """Run a timing tool once into ``folder`` (its ``result.json``); reuse
    it when done before with the same command. Returns the JSON."""
    result = osp.join(folder, 'result.json')
    spec = dict(command=[osp.relpath(c, REPO) if osp.isabs(c) else c
                         for c in cmd[1:]])
    print(f'\n{clock} {name}', flush=True)
    if prepare_folder(folder, spec, lambda f: osp.isfile(result)):
        print('    done before, reusing', flush=True)
    else:
        run_command(cmd + ['--out', result], osp.join(folder, 'tool.log'))
    with open(result) as f:
        return json.load(f)


# --------------------------------------------------------------------------
# Machine
# --------------------------------------------------------------------------
def cpu_model() -> str:
    """``model name`` of /proc/cpuinfo (Linux), else what Python knows."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.lower().startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or 'unknown'


def memory_gib() -> Optional[float]:
    try:
        with open('/proc/meminfo') as f:
            for line in f:
                if line.startswith('MemTotal:'):
                    return int(line.split()[1]) / 2**20
    except (OSError, ValueError, IndexError):
        pass
    return None


def machine_info() -> Dict[str, str]:
    import mmengine
    import mmpretrain
    usable = compute_threads()
    memory = memory_gib()
    cuda = 'available' if torch.cuda.is_available() else 'not used'
    return {
        'CPU': cpu_model(),
        'cores': f'{usable} usable of {os.cpu_count()} logical',
        'memory': f'{memory:.1f} GiB' if memory else 'unknown',
        'torch': f'{torch.__version__} ({torch.get_num_threads()} threads, '
                 f'CUDA {cuda})',
        'MMEngine / MMPretrain': f'{mmengine.__version__} / '
                                 f'{mmpretrain.__version__}',
        'Python': platform.python_version(),
        'OS': platform.platform(),
    }


def load_average() -> str:
    try:
        return ', '.join(f'{v:.2f}' for v in os.getloadavg())
    except OSError:
        return 'unknown'


# --------------------------------------------------------------------------
# Reading the runs
# --------------------------------------------------------------------------
def summarize(runs: Dict[str, List[str]]) -> Dict[str, GroupSummary]:
    """One summary per report label (``label -> [work dirs]``)."""
    groups = {}
    for label, dirs in runs.items():
        found, _ = summarize_runs([read_run(d) for d in dirs])
        if len(found) > 1:
            raise SystemExit(f'{label}: its runs differ in more than the seed '
                             f'({[g.first.work_dir for g in found]}).')
        if found:
            groups[label] = found[0]
    return groups


def paired_gain(group: GroupSummary,
                reference: GroupSummary) -> Tuple[List[float], str]:
    """Per-seed differences of last-epoch top-1 to the reference (seeds both
    ran), and their ``mean ± std`` text."""
    ours = {r.seed: r.top1_last for r in group.runs}
    theirs = {r.seed: r.top1_last for r in reference.runs}
    diffs = [ours[s] - theirs[s] for s in sorted(ours)
             if s in theirs and None not in (ours[s], theirs[s])]
    if not diffs:
        return [], '–'
    text = f'{mean(diffs):+.2f}'
    if len(diffs) > 1:
        text += f' ± {stdev(diffs):.2f}'
    return diffs, text


def convergence(work_dirs: Sequence[str]) -> Dict[str, Optional[float]]:
    """Training accuracy of the last epoch and how much test top-1 moved
    over the last fifth of the schedule (means over the runs): a converged
    run has a high training accuracy and a flat end of its test curve."""
    train_acc, change = [], []
    for work_dir in work_dirs:
        history = load_history(work_dir)
        epochs = [r.get('epoch') for r in history.train if r.get('epoch')]
        if epochs:
            last = max(epochs)
            values = [r.get('train_acc_top1', r.get('accuracy_top-1'))
                      for r in history.train if r.get('epoch') == last]
            values = [v for v in values if v is not None]
            if values:
                train_acc.append(mean(values))
        val = {step: m.get('accuracy/top1') for step, m in
               history.val.items() if m.get('accuracy/top1') is not None}
        if len(val) >= 2:
            steps = sorted(val)
            end = steps[-1]
            start = min(steps, key=lambda s: abs(s - 0.8 * end))
            if start < end:
                change.append(val[end] - val[start])
    return dict(train_acc=mean(train_acc) if train_acc else None,
                late_change=mean(change) if change else None)


def diagnostics(work_dirs: Sequence[str]) -> Dict[str, float]:
    """Mean over the last epoch (and the runs) of every logged loss
    diagnostic (``<method>/<name>``)."""
    sums: Dict[str, List[float]] = {}
    for work_dir in work_dirs:
        history = load_history(work_dir)
        epochs = [r.get('epoch') for r in history.train if r.get('epoch')]
        if not epochs:
            continue
        for record in history.train:
            if record.get('epoch') != max(epochs):
                continue
            for key, value in record.items():
                if '/' in key and isinstance(value, (int, float)):
                    sums.setdefault(key, []).append(value)
    return {key: mean(values) for key, values in sorted(sums.items())}


def _fmt(value: Optional[float], digits: int = 2, sign: bool = False) -> str:
    if value is None:
        return '–'
    return f'{value:+.{digits}f}' if sign else f'{value:.{digits}f}'


def _epochs(count: int) -> str:
    return f'{count} epoch' + ('' if count == 1 else 's')


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------
def method_table(groups: Dict[str, GroupSummary], runs: Dict[str, List[str]],
                 labels: Sequence[str]) -> str:
    """Accuracy, gains, calibration, convergence and cost per method."""
    alone = groups.get(ALONE)
    reference = groups.get(REFERENCE)
    alone_seconds = iteration_seconds(runs.get(ALONE, []))
    lines = ['| method | epochs | seeds | top-1 last (%) | vs alone | '
             f'vs {REFERENCE} per seed | top-1 best (%) | ECE last (%) | '
             'ECE after TS (%) | T | train acc (%) | last-fifth change | '
             's / iteration | cost vs alone |',
             '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|'
             '---:|---:|']
    for label in labels:
        group = groups.get(label)
        if group is None:
            continue
        top1 = group.top1_last.mean
        vs_alone = top1 - alone.top1_last.mean if alone and top1 is not None \
            and alone.top1_last.mean is not None else None
        vs_ref = paired_gain(group, reference)[1] if reference and \
            label != REFERENCE else ''
        conv = convergence(runs[label])
        step = iteration_seconds(runs[label])
        cost = step / alone_seconds if step and alone_seconds else None
        seeds = ', '.join('?' if s is None else str(s) for s in group.seeds)
        cells = (label, group.first.max_epochs, seeds,
                 group.top1_last.format(), _fmt(vs_alone, sign=True), vs_ref,
                 group.top1_best.format(), group.ece_last.format(scale=100),
                 group.ece_after_ts.format(scale=100),
                 group.temperature.format(), _fmt(conv['train_acc'], 1),
                 _fmt(conv['late_change'], 2, sign=True), _fmt(step, 3),
                 _fmt(cost))
        lines.append('| ' + ' | '.join(str(c) for c in cells) + ' |')
    return '\n'.join(lines)


def diagnostics_table(runs: Dict[str, List[str]],
                      labels: Sequence[str]) -> str:
    lines = ['| method | diagnostics (mean over the last epoch) |',
             '|---|---|']
    for label in labels:
        found = diagnostics(runs.get(label, []))
        if found:
            text = ', '.join(f'`{k}` {v:.3f}' for k, v in found.items())
            lines.append(f'| {label} | {text} |')
    return '\n'.join(lines) if len(lines) > 2 else '(none logged)'


def teacher_section(teacher: dict, views: Optional[dict]) -> List[str]:
    lines = [f'- Teacher: CIFAR resnet20, {_epochs(teacher["epochs"])}, '
             f'top-1 {_fmt(teacher["top1"])}% on the test split' +
             (f' (the published run {teacher["published"]}, not trained '
              'by this invocation; tools/model_converters/publish_run.py).'
              if teacher.get('published') else '.')]
    if views:
        from view_robustness import markdown as view_markdown
        lines += ['', 'The teacher on the views the methods train with '
                  '(tools/analysis/view_robustness.py):', '',
                  view_markdown(views)]
    return lines


def cache_section(runs: Dict[str, List[str]], args) -> List[str]:
    """How much teacher time the cache saved, from the logs."""
    if not args.teacher_cache:
        return ['The teacher-logit cache was off (--no-teacher-cache).']
    read = computed = 0
    for dirs in runs.values():
        for work_dir in dirs:
            for path in _logs(work_dir):
                for line in open(path):
                    if 'Teacher-logit cache, epoch' in line and \
                            'batches read' in line:
                        words = line.split(':')[-1].split()
                        read += int(words[0])
                        computed += int(words[3])
    total = read + computed
    if not total:
        return ['No distillation run used the cache.']
    share = 100 * read / total
    return [f'Teacher-logit cache: {read} of {total} distillation batches '
            f'({share:.0f} %) read the teacher\'s logits from the cache '
            'instead of running the teacher (one teacher pass per seed and '
            'pipeline; docs/benchmark.md explains the estimate of the time '
            'without it).']


def _logs(work_dir: str) -> List[str]:
    import glob
    return sorted(glob.glob(osp.join(work_dir, '*', '*.log')))


def training_span(work_dirs: Sequence[str]) -> str:
    """When the trainings ran, from their logs (a resumed bench spans
    several invocations)."""
    logged = [[session for session in load_history(work_dir).sessions
               if session.start and session.end] for work_dir in work_dirs]
    sessions = [session for run in logged for session in run]
    if not sessions:
        return 'No training log found.'
    trained = sum(1 for run in logged if run)  # not an installed teacher
    start = min(s.start for s in sessions)
    end = max(s.end for s in sessions)
    busy = sum(s.wall_time for s in sessions)
    under_way = covered_seconds([(s.start, s.end) for s in sessions])
    return (f'Trainings ran from {start:%Y-%m-%d %H:%M} to {end:%H:%M} '
            f'({(end - start).total_seconds() / 60:.0f} minutes, of which '
            f'{under_way / 60:.0f} with at least one training under way; '
            f'the {trained} runs themselves took {busy / 60:.0f} '
            'minutes).')


def covered_seconds(spans: Sequence[Tuple[datetime.datetime,
                                          datetime.datetime]]) -> float:
    """Seconds covered by the union of ``(start, end)`` spans: the wall time
    of trainings that overlap (``--jobs``) or were split over several
    invocations, without the pauses between them."""
    total, reach = 0.0, None
    for start, end in sorted(spans):
        if reach is not None and start < reach:
            start = reach
        if end > start:  # then end is past every earlier end
            total += (end - start).total_seconds()
            reach = end
    return total


def timing_sections(loss_result: Optional[dict],
                    step_result: Optional[dict]) -> List[str]:
    lines = []
    if loss_result:
        from benchmark_losses import markdown as loss_markdown
        lines += ['', '## Loss timings (benchmark_losses.py)', '',
                  'Forward + backward of each loss on random logits, '
                  'against a straightforward implementation of the '
                  'published formula (and MMRazor where it has the method); '
                  f'torch {loss_result["torch"]}, '
                  f'{loss_result["threads"]} threads, median of '
                  f'{loss_result["repeats"]}.', '',
                  loss_markdown(loss_result['results'])]
    if step_result:
        from benchmark_step import markdown as step_markdown
        lines += ['', '## Training step timings (benchmark_step.py)', '',
                  'One full training step per method against a student '
                  'step plus a teacher forward per view, and MMRazor '
                  'SingleTeacherDistill doing KD.', '',
                  step_markdown(step_result['results'])]
    return lines


def write_report(args, clock: Clock, runs: Dict[str, List[str]],
                 teacher_dir: str, views: Optional[dict],
                 equal: Optional[dict], loss_result: Optional[dict],
                 step_result: Optional[dict], machine: dict,
                 load_start: str) -> str:
    work_dir = args.work_dir
    full_table = summarize_results.main(
        [teacher_dir] + [d for dirs in runs.values() for d in dirs] +
        ['--out-dir', work_dir])
    groups = summarize(runs)
    labels = [ALONE] + list(args.methods) + \
        ([equal['label']] if equal else [])
    teacher = read_run(teacher_dir)
    plot = plot_curves.main(
        [dirs[0] for label, dirs in runs.items()
         if not equal or label != equal['label']] +
        ['--keys', 'loss', 'accuracy/top1', 'calibration/ece', 'lr',
         '--out', osp.join(work_dir, 'curves.png')])
    behind = [label for label in args.methods if label != REFERENCE and
              label in groups and REFERENCE in groups and
              groups[label].top1_last.mean is not None and
              groups[REFERENCE].top1_last.mean is not None and
              groups[label].top1_last.mean < groups[REFERENCE].top1_last.mean]
    lines = [
        f'# mmlogitkd CPU benchmark ({args.preset})', '',
        training_span([teacher_dir] + [d for dirs in runs.values()
                                       for d in dirs]), '',
        f'This report: `{" ".join(args.argv_shown)}`, '
        f'{datetime.date.today().isoformat()} {clock.start_text} to '
        f'{datetime.datetime.now().strftime("%H:%M")} '
        f'({(time.time() - clock.start) / 60:.1f} minutes; finished runs '
        'and timings of earlier invocations are reused).', '',
        '## Machine', '', '| | |', '|---|---|'
    ] + [f'| {key} | {value} |' for key, value in machine.items()] + [
        f'| load average (1, 5, 15 min) | {load_start} at the start, '
        f'{load_average()} at the end |', '',
        '## Setup', '',
        f'- Data: the embedded CIFAR-100-format dataset '
        f'(docs/embedded_dataset.md), {args.train_per_class} training and '
        f'{args.test_per_class} test images per class, 100 classes.',
    ] + teacher_section(dict(
        epochs=args.teacher_epochs, top1=teacher.top1_last,
        published=args.teacher and osp.relpath(args.teacher, REPO)),
        views) + [
        '',
        f'- Student: CIFAR resnet8, {_epochs(args.epochs)} for every method '
        f'(SGD lr 0.05, x0.1 at epochs {lr_milestones(args.epochs)}, batch '
        f'64), seeds {", ".join(map(str, args.seeds))}; method settings are '
        'the CIFAR-100 ones of configs/_base_/methods/ (the leaves are in '
        f'configs/ of the work dir), DKD/AEKT warm-up '
        f'{_epochs(warmup_epochs(args.epochs))}.',
        '- Trainings: ' + (
            'one at a time, with the machine\'s threads' if args.jobs <= 1
            else f'up to {args.jobs} at once (--jobs), each with '
            f'{threads_per_job(args.jobs)} compute thread(s) '
            '(the s / iteration of runs that ran beside another are not '
            'comparable with runs of --jobs 1)') + (
            '; channels-last convolutions.' if args.channels_last else
            '; contiguous (NCHW) convolutions.'),
        '',
        '## Accuracy and calibration per method', '',
        method_table(groups, runs, labels), '',
        'Last epoch, mean ± sample std over seeds (docs/reporting.md). '
        f'"vs alone": difference of the mean to the student alone at equal '
        f'epochs; "vs {REFERENCE} per seed": mean ± std of the per-seed '
        f'differences to {REFERENCE}; "train acc": training accuracy of the '
        'last epoch; "ECE after TS" and "T": the test ECE after post-hoc '
        'temperature scaling and the fitted temperature (one per run, '
        f'fitted on {100 * args.calibration_per_class} held-out images, '
        'another draw of the embedded dataset; docs/calibration.md); '
        '"last-fifth change": how much test top-1 moved over '
        'the last fifth of the schedule (near 0: converged); '
        '"s / iteration": median time of a training iteration (MMEngine\'s '
        'logged `time`; runs that read the teacher from the cache skip its '
        'forward).',
    ]
    if behind:
        lines += ['', f'Behind {REFERENCE} on this bench: '
                  f'{", ".join(behind)} (docs/benchmark.md explains why).']
    lines += ['', '## Diagnostics', '', diagnostics_table(runs, labels), '',
              '## Equal epochs versus equal compute', '']
    if equal is None:
        lines.append('Not run (--no-equal-compute, or KD not among the '
                     'methods).')
    else:
        lines.append(
            f'A {REFERENCE} iteration took {equal["method_seconds"]:.3f} s '
            f'with its teacher forward and one of the student alone '
            f'{equal["alone_seconds"]:.3f} s, so the student alone given '
            f'{REFERENCE}\'s training time for {_epochs(args.epochs)} trains '
            f'{_epochs(equal["epochs"])} (row "{equal["label"]}").')
    lines += ['', '## Teacher-logit cache', ''] + cache_section(runs, args)
    lines += timing_sections(loss_result, step_result)
    lines += ['', '## Every run (summarize_results.py)', '',
              full_table.rstrip(), '', 'Also in results.md and results.csv.',
              '', '## Plots', '', f'![curves]({osp.relpath(plot, work_dir)})',
              '', '- curves.png: total loss, top-1, ECE and lr of the first '
              'seed of every run.']
    report = osp.join(work_dir, 'report.md')
    with open(report, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return report


def print_summary(groups: Dict[str, GroupSummary], labels: Sequence[str],
                  teacher_dir: str) -> None:
    """The terminal table (what ``make demo`` prints)."""
    teacher = read_run(teacher_dir)
    print('\n| run | top-1 (%) | ECE (%) | ECE after TS (%) |\n'
          '|---|---:|---:|---:|')
    teacher_ece = None if teacher.ece_last is None \
        else 100 * teacher.ece_last
    print(f'| teacher resnet20 | {_fmt(teacher.top1_last)} | '
          f'{_fmt(teacher_ece)} | – |')
    for label in labels:
        group = groups.get(label)
        if group is not None:
            print(f'| {label} | {group.top1_last.format()} | '
                  f'{group.ece_last.format(scale=100)} | '
                  f'{group.ece_after_ts.format(scale=100)} |')
    print('\nECE after TS: after post-hoc temperature scaling, one '
          'temperature fitted on held-out images (another draw of the '
          'embedded dataset; docs/calibration.md).')


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------
def main(argv: Optional[List[str]] = None) -> str:
    """Run the bench; return the path of ``report.md``."""
    args = parse_args(argv)
    args.argv_shown = ['tools/analysis/run_bench.py'] + list(
        sys.argv[1:] if argv is None else argv)
    clock = Clock()
    load_start = load_average()
    machine = machine_info()
    work_dir = args.work_dir
    os.makedirs(work_dir, exist_ok=True)
    print(f'{args.preset}: {len(args.methods)} methods x {len(args.seeds)} '
          f'seeds, {_epochs(args.epochs)}, into {work_dir}\n'
          f'machine: {machine["CPU"]}, {machine["cores"]}, torch '
          f'{machine["torch"]}; load average {load_start}', flush=True)

    # 1. data
    generate_data(args.data_root, args.train_per_class, args.test_per_class,
                  osp.join(work_dir, 'generate_data.log'))
    calibration_root = args.data_root + '_calibration'
    generate_data(calibration_root, args.calibration_per_class, 1,
                  osp.join(work_dir, 'generate_calibration_data.log'),
                  seed=CALIBRATION_DATA_SEED)
    with open(osp.join(args.data_root, 'generator.json')) as f:
        data_spec = dict(root=args.data_root, generator=json.load(f))
    data_options = dataloader_options(args.data_root, args.workers)

    # 2. teacher, and how it behaves on the training views
    teacher_options = []
    if args.teacher:
        teacher_dir, record = install_teacher(
            args.teacher, osp.join(work_dir, 'teacher'), data_spec, clock)
        args.teacher_epochs = record['epochs']
        teacher_options.append(f'model.teacher_ckpt_sha256={record["sha256"]}')
    else:
        teacher_run = BenchRun('teacher resnet20', classifier_config(
            osp.join(BENCH_CONFIGS, 'teacher.py'),
            osp.join(work_dir, 'configs'), args.channels_last), 'teacher')
        teacher_dir = train(
            teacher_run, osp.join(work_dir, 'teacher'),
            data_options + schedule_options(args.teacher_epochs,
                                            args.val_interval) +
            ['randomness.seed=0'], data_spec, clock)
    teacher_ckpt = last_checkpoint(teacher_dir)
    views = timed_tool('teacher on the training views',
                       [sys.executable, VIEW_TOOL,
                        osp.join(BENCH_CONFIGS, 'teacher.py'), teacher_ckpt,
                        '--cfg-options'] + data_options,
                       osp.join(work_dir, 'teacher_views'), clock)

    # 3. students, seed by seed (one at a time, a bench cut short still has
    #    whole seeds)
    alone = BenchRun(ALONE, classifier_config(
        osp.join(BENCH_CONFIGS, 'alone.py'), osp.join(work_dir, 'configs'),
        args.channels_last), 'alone')
    methods = method_runs(args.methods, osp.join(work_dir, 'configs'))
    cache_root = osp.join(work_dir, 'teacher_cache')

    def options_of(run: BenchRun, seed: int, epochs: int) -> List[str]:
        options = data_options + schedule_options(
            epochs, args.val_interval) + [f'randomness.seed={seed}']
        if run.distils:
            options.append(f'model.teacher_ckpt={teacher_ckpt}')
            if args.channels_last:
                options.append('model.channels_last=True')
            options += teacher_options
            warmup = loss_has_warmup(run.config)
            if warmup:
                options.append(f'model.distill_losses.{warmup}.'
                               f'warmup_epochs={warmup_epochs(epochs)}')
            if args.teacher_cache:
                options.append(f'model.teacher_cache.root={cache_root}')
        return options

    runs_dir = osp.join(work_dir, 'runs')
    runs: Dict[str, List[str]] = {}
    trainings: List[Training] = []
    for seed in args.seeds:
        for run in [alone] + methods:
            folder = osp.join(runs_dir, f'{run.slug}_seed{seed}')
            trainings.append(Training(
                run, folder, options_of(run, seed, args.epochs), seed))
            runs.setdefault(run.name, []).append(folder)
    if args.teacher_cache:
        cache_fillers(trainings)
    run_trainings(trainings, args.jobs, data_spec, clock)

    # 4. equal compute: the student alone for KD's time per iteration
    equal = None
    if args.equal_compute and REFERENCE in runs:
        method_seconds = iteration_seconds(runs[REFERENCE])
        alone_seconds = iteration_seconds(runs[ALONE])
        epochs = equal_compute_epochs(args.epochs, method_seconds,
                                      alone_seconds)
        label = f'{ALONE}, {REFERENCE}\'s time'
        equal = dict(label=label, epochs=epochs,
                     method_seconds=method_seconds,
                     alone_seconds=alone_seconds)
        trainings = [Training(alone, osp.join(runs_dir,
                                              f'alone-{epochs}ep_seed{seed}'),
                              options_of(alone, seed, epochs), seed)
                     for seed in args.seeds]
        runs[label] = [t.work_dir for t in trainings]
        run_trainings(trainings, args.jobs, data_spec, clock)

    # 5. post-hoc calibration of every student (ECE before and after)
    print(f'\n{clock} temperature scaling of every student', flush=True)
    for folders in runs.values():
        for folder in folders:
            calibrate(folder, calibration_root, clock)

    # 6. timings (after the trainings, so they do not compete with them)
    loss_result = step_result = None
    if args.timings:
        quick = args.preset == 'quick'
        loss_result = timed_tool(
            'loss timings',
            [sys.executable, LOSS_BENCH, '--methods'] + args.methods +
            (['--sizes', '64x100', '--warmup', '1', '--repeats', '3']
             if quick else ['--sizes', '64x100', '256x1000']),
            osp.join(work_dir, 'timings', 'losses'), clock)
        step_result = timed_tool(
            'training step timings',
            [sys.executable, STEP_BENCH, '--pairs', 'resnet20:resnet8',
             '--methods'] + args.methods +
            (['--iters', '2', '--warmup', '1'] if quick else []),
            osp.join(work_dir, 'timings', 'step'), clock)

    # 7. report
    print(f'\n{clock} report', flush=True)
    report = write_report(args, clock, runs, teacher_dir, views, equal,
                          loss_result, step_result, machine, load_start)
    labels = [ALONE] + list(args.methods) + \
        ([equal['label']] if equal else [])
    print_summary(summarize(runs), labels, teacher_dir)
    print(f'\n{clock} done: {report}', flush=True)
    return report


if __name__ == '__main__':
    main()
