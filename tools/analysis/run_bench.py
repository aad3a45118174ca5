"""`make bench`: every method on the embedded dataset, on a CPU, one report.

1. generate the embedded CIFAR-100-format dataset (no download;
   ``docs/embedded_dataset.md``);
2. train the resnet20 teacher once;
3. for every seed: train the resnet8 student alone, then distil it with every
   method (KD, DKD, KD+LS, DKD+LS, MLKD, CRLD, CRLD+LS, CKD, AEKT);
4. equal compute: train the student alone again for as many epochs as fit in
   KD's measured wall time (``docs/embedded_dataset.md``: much of an
   equal-epoch gain can be faster convergence);
5. time the losses (``benchmark_losses.py``) and one training step per
   method (``benchmark_step.py``);
6. write ``report.md``: top-1 mean ± std over seeds and ECE per method
   (``summarize_results.py``), the timings, the machine; and the plots:
   training curves (``plot_curves.py``) and the reliability diagram of the
   best method against the student alone (``reliability_diagram.py``).

Every training is an ordinary ``tools/train.py`` run (a subprocess) of a
config in ``configs/bench/``, so the bench measures exactly what users run.
The schedule follows ``--epochs`` by fixed rules: lr x0.1 for the last
quarter (milestone ``round(3/4 x epochs)``) and the DKD/AEKT warm-up at its
published share of the schedule (20 of 240 epochs: ``round(epochs / 12)``,
at least 1). Finished runs are reused when the bench is run again with the
same settings; an unfinished one is trained again from scratch; a run folder
holding other settings is an error (use another ``--work-dir``).

Example::

    python tools/analysis/run_bench.py --work-dir work_dirs/bench
    python tools/analysis/run_bench.py --quick --methods KD CRLD \\
        --work-dir work_dirs/bench_quick   # smoke test, 1-2 minutes
"""
import argparse
import datetime
import json
import os
import os.path as osp
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from statistics import median
from typing import Dict, List, Optional, Sequence, Tuple

ANALYSIS = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(osp.dirname(ANALYSIS))
# The other analysis tools live next to this file; their main(argv) is the
# one implementation of each step.
if ANALYSIS not in sys.path:
    sys.path.insert(0, ANALYSIS)

import mmlogitkd  # noqa: E402,F401  (compat first)
import plot_curves  # noqa: E402
import reliability_diagram  # noqa: E402
import summarize_results  # noqa: E402
import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402

from mmlogitkd.evaluation.plots import plot_reliability_diagram  # noqa: E402
from mmlogitkd.evaluation.reporting import (GroupSummary, RunResult,  # noqa: E402
                                     find_config, load_history, read_run,
                                     summarize_runs)

BENCH_CONFIGS = osp.join(REPO, 'configs', 'bench')
TRAIN = osp.join(REPO, 'tools', 'train.py')
GENERATOR = osp.join(REPO, 'tools', 'dataset_converters',
                     'generate_embedded_cifar100.py')
LOSS_BENCH = osp.join(ANALYSIS, 'benchmark_losses.py')
STEP_BENCH = osp.join(ANALYSIS, 'benchmark_step.py')

#: The file every run folder records its settings in (reuse check).
SPEC_FILE = 'bench_run.json'


@dataclass(frozen=True)
class BenchRun:
    """One kind of training run of the bench.

    Attributes:
        name: shown in the report and accepted by ``--methods``.
        config: file in ``configs/bench/``.
        slug: run folder prefix (``<slug>_seed<k>``).
        warmup_loss: the ``model.distill_losses`` entry with an epoch
            warm-up (DKD, AEKT), rescaled with ``--epochs``.
        step_bench: the method's name in ``benchmark_step.py`` (it does not
            time every variant), or None.
    """
    name: str
    config: str
    slug: str
    warmup_loss: Optional[str] = None
    step_bench: Optional[str] = None

    @property
    def distils(self) -> bool:
        return self.slug not in (TEACHER.slug, STUDENT_ALONE.slug)


TEACHER = BenchRun('teacher resnet20', 'resnet20_teacher_bench.py', 'teacher')
STUDENT_ALONE = BenchRun('student alone', 'resnet8_alone_bench.py', 'alone')
#: Every method, in report order; the names are also those of
#: benchmark_losses.py.
METHODS = (
    BenchRun('KD', 'kd_resnet20_resnet8_bench.py', 'kd', None, 'KD'),
    BenchRun('DKD', 'dkd_resnet20_resnet8_bench.py', 'dkd', 'loss_dkd',
             'DKD'),
    BenchRun('KD+LS', 'kd-ls_resnet20_resnet8_bench.py', 'kd-ls', None,
             'KD+LS'),
    BenchRun('DKD+LS', 'dkd-ls_resnet20_resnet8_bench.py', 'dkd-ls',
             'loss_dkd'),
    BenchRun('MLKD', 'mlkd_resnet20_resnet8_bench.py', 'mlkd', None, 'MLKD'),
    BenchRun('CRLD', 'crld_resnet20_resnet8_bench.py', 'crld', None, 'CRLD'),
    BenchRun('CRLD+LS', 'crld-ls_resnet20_resnet8_bench.py', 'crld-ls'),
    BenchRun('CKD', 'ckd_resnet20_resnet8_bench.py', 'ckd', None, 'CKD'),
    BenchRun('AEKT', 'aekt_resnet20_resnet8_bench.py', 'aekt', 'loss_aekt',
             'AEKT'),
)
METHOD_NAMES = tuple(method.name for method in METHODS)
#: The method whose wall time the equal-compute student alone gets.
EQUAL_COMPUTE_REFERENCE = 'KD'
#: benchmark_step.py pair: the bench's own teacher and student.
STEP_BENCH_PAIR = 'resnet20:resnet8'

#: Dataset sizes (images per class; 100 classes): 5,000 training images
#: keep the whole bench near 40 minutes on 2 CPU cores, 2,000 test images
#: keep the sampling error of top-1 under about 1 point; --quick: tiny.
FULL_DATA = dict(train_per_class=50, test_per_class=20)
QUICK_DATA = dict(train_per_class=2, test_per_class=1)


# --------------------------------------------------------------------------
# Schedule rules
# --------------------------------------------------------------------------
def lr_milestone(epochs: int) -> int:
    """lr x0.1 for the last quarter: ``round(3/4 x epochs)``, at least 1."""
    return max(1, (3 * epochs + 2) // 4)


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


def schedule_options(epochs: int) -> List[str]:
    return [f'train_cfg.max_epochs={epochs}',
            f'param_scheduler.milestones=[{lr_milestone(epochs)}]',
            f'default_hooks.checkpoint.interval={epochs}']


def config_epochs(config: str) -> int:
    """``train_cfg.max_epochs`` of a bench config (the default schedule)."""
    return int(Config.fromfile(osp.join(BENCH_CONFIGS,
                                        config)).train_cfg.max_epochs)


# --------------------------------------------------------------------------
# Arguments
# --------------------------------------------------------------------------
def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='make bench: teacher, student alone and every method on '
        'the embedded dataset, with timings, into one report.')
    parser.add_argument('--work-dir', default='work_dirs/bench',
                        help='folder for every run, table, plot and the '
                        'report (default: work_dirs/bench)')
    parser.add_argument('--seeds', nargs='+', type=int,
                        help='student seeds (default: 0 1 2; --quick: 0)')
    parser.add_argument('--epochs', type=int,
                        help='student epochs (default: max_epochs of '
                        'configs/bench/bench_schedule.py; --quick: 1)')
    parser.add_argument('--teacher-epochs', type=int,
                        help='teacher epochs (default: max_epochs of '
                        'configs/bench/resnet20_teacher_bench.py; --quick: '
                        '1)')
    parser.add_argument('--methods', nargs='+', choices=METHOD_NAMES,
                        metavar='METHOD',
                        help='methods to distil with (default: all of '
                        f'{", ".join(METHOD_NAMES)}); the student alone is '
                        'always trained')
    parser.add_argument('--data-root',
                        help='where the embedded dataset is generated '
                        '(default: data/embedded_cifar100_bench in the '
                        'repository; '
                        '--quick: <work-dir>/data)')
    parser.add_argument('--train-per-class', type=int,
                        help='training images per class (default: '
                        f'{FULL_DATA["train_per_class"]}; --quick: '
                        f'{QUICK_DATA["train_per_class"]})')
    parser.add_argument('--test-per-class', type=int,
                        help='test images per class (default: '
                        f'{FULL_DATA["test_per_class"]}; --quick: '
                        f'{QUICK_DATA["test_per_class"]})')
    parser.add_argument('--equal-compute',
                        action=argparse.BooleanOptionalAction,
                        help='also train the student alone for KD\'s wall '
                        'time (default: on; --quick: off)')
    parser.add_argument('--quick', action='store_true',
                        help='a tiny smoke version: 1 seed, 1 epoch, tiny '
                        'data, short timings')
    args = parser.parse_args(argv)

    quick = args.quick
    data = QUICK_DATA if quick else FULL_DATA
    if args.seeds is None:
        args.seeds = [0] if quick else [0, 1, 2]
    if args.epochs is None:
        args.epochs = 1 if quick else config_epochs(STUDENT_ALONE.config)
    if args.teacher_epochs is None:
        args.teacher_epochs = 1 if quick else config_epochs(TEACHER.config)
    if args.train_per_class is None:
        args.train_per_class = data['train_per_class']
    if args.test_per_class is None:
        args.test_per_class = data['test_per_class']
    if args.equal_compute is None:
        args.equal_compute = not quick
    args.methods = [m for m in METHODS
                    if m.name in (args.methods or METHOD_NAMES)]
    args.work_dir = osp.abspath(args.work_dir)
    if args.data_root is None:
        args.data_root = osp.join(args.work_dir, 'data') if quick else \
            osp.join(REPO, 'data', 'embedded_cifar100_bench')
    args.data_root = osp.abspath(args.data_root)
    for name in ('epochs', 'teacher_epochs', 'train_per_class',
                 'test_per_class'):
        if getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be >= 1, got '
                         f'{getattr(args, name)}.')
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


def run_command(cmd: Sequence[str], log_path: str,
                show: Sequence[str] = ()) -> str:
    """Run ``cmd``, write its output to ``log_path``; echo lines containing
    any of ``show`` (progress) and fail naming the log on error.

    Returns:
        str: everything the command printed.
    """
    print('$ ' + ' '.join(cmd), flush=True)
    output = []
    with open(log_path, 'w') as log:
        process = subprocess.Popen(list(cmd), stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        for line in process.stdout:
            log.write(line)
            output.append(line)
            if any(marker in line for marker in show):
                print('    ' + line.rstrip()[-160:], flush=True)
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
        recorded = None
        if osp.isfile(spec_path):
            with open(spec_path) as f:
                recorded = json.load(f)
        if recorded != spec:
            changed = sorted(k for k in set(spec) | set(recorded or {})
                             if (recorded or {}).get(k) != spec.get(k))
            raise SystemExit(
                f'"{folder}" holds work done with other settings '
                f'(differs in: {", ".join(changed) or SPEC_FILE}); use '
                'another --work-dir, or delete that folder to redo it.')
        if is_done(folder):
            return True
        print(f'    unfinished, starting again: {folder}', flush=True)
        shutil.rmtree(folder)
    os.makedirs(folder)
    with open(spec_path, 'w') as f:
        json.dump(spec, f, indent=2, sort_keys=True)
    return False


def run_finished(work_dir: str) -> bool:
    """The run validated its last epoch and saved its last checkpoint."""
    if not osp.isfile(osp.join(work_dir, 'last_checkpoint')):
        return False
    try:
        return read_run(work_dir).finished
    except (FileNotFoundError, ValueError):
        return False


def last_checkpoint(work_dir: str) -> str:
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        path = f.read().strip()
    if not osp.isfile(path):
        raise SystemExit(f'{work_dir}/last_checkpoint names "{path}", which '
                         'does not exist; delete the run folder to redo it.')
    return path


def train(run: BenchRun, work_dir: str, options: List[str], data_spec: dict,
          clock: Clock) -> str:
    """Train ``run`` with ``tools/train.py`` into ``work_dir`` unless a
    finished run with the same settings is already there."""
    config = osp.join(BENCH_CONFIGS, run.config)
    spec = dict(config=osp.relpath(config, REPO), options=options,
                data=data_spec)
    print(f'\n{clock} {run.name}: {osp.basename(work_dir)}', flush=True)
    if prepare_folder(work_dir, spec, run_finished):
        print('    finished before, reusing', flush=True)
        return work_dir
    run_command([sys.executable, TRAIN, config, '--work-dir', work_dir,
                 '--cfg-options'] + options,
                osp.join(work_dir, 'train_output.log'),
                show=('Epoch(val)', 'Error', 'Teacher (evaluated'))
    if not run_finished(work_dir):
        raise SystemExit(f'{work_dir}: tools/train.py returned but the run '
                         'did not validate its last epoch.')
    return work_dir


def timed_tool(name: str, cmd: List[str], folder: str,
               clock: Clock) -> str:
    """Run a timing tool once into ``folder`` (``result.json`` and the
    printed output); reuse it when done before with the same command."""
    result = osp.join(folder, 'result.json')
    output = osp.join(folder, 'output.txt')
    # the interpreter may differ between machines, the tool's flags may not
    spec = dict(command=[osp.relpath(c, REPO) if osp.isabs(c) else c
                         for c in cmd[1:]])
    print(f'\n{clock} {name}', flush=True)
    if prepare_folder(folder, spec, lambda f: osp.isfile(result)
                      and osp.isfile(output)):
        print('    done before, reusing', flush=True)
    else:
        text = run_command(cmd + ['--out', result],
                           osp.join(folder, 'tool.log'))
        with open(output, 'w') as f:
            f.write(text)
    with open(output) as f:
        return f.read()


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
    usable = len(os.sched_getaffinity(0)) if hasattr(
        os, 'sched_getaffinity') else os.cpu_count()
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
# Report
# --------------------------------------------------------------------------
def _epochs(count: int) -> str:
    return f'{count} epoch' + ('' if count == 1 else 's')


def _fmt(value: Optional[float], digits: int = 2, sign: bool = False) -> str:
    if value is None:
        return '–'
    return f'{value:+.{digits}f}' if sign else f'{value:.{digits}f}'


def method_table(rows: List[Tuple[str, GroupSummary]], alone_label: str,
                 seconds: Dict[str, Optional[float]]) -> str:
    """One row per method: accuracy, calibration and cost next to the
    student alone (same seeds, same epochs).

    Args:
        rows: report label -> the seeds of that run, in table order.
        alone_label: the label of the student alone among ``rows``.
        seconds: label -> seconds per training iteration.
    """
    groups = dict(rows)
    alone_top1 = groups[alone_label].top1_last.mean \
        if alone_label in groups else None
    alone_seconds = seconds.get(alone_label)
    lines = ['| method | epochs | seeds | top-1 last (%) | vs alone | '
             'top-1 best (%) | ECE last (%) | s / iteration | '
             'cost vs alone |',
             '|---|---:|---|---:|---:|---:|---:|---:|---:|']
    for label, group in rows:
        top1 = group.top1_last.mean
        delta = top1 - alone_top1 if None not in (top1, alone_top1) else None
        step = seconds.get(label)
        cost = step / alone_seconds if step and alone_seconds else None
        seeds = ', '.join('?' if s is None else str(s) for s in group.seeds)
        cells = (label, group.first.max_epochs, seeds,
                 group.top1_last.format(), _fmt(delta, sign=True),
                 group.top1_best.format(), group.ece_last.format(scale=100),
                 _fmt(step, 3), _fmt(cost))
        lines.append('| ' + ' | '.join(str(c) for c in cells) + ' |')
    return '\n'.join(lines)


def markdown_tables(text: str) -> str:
    """The Markdown table lines (and the settings line of the timing tools)
    of a tool's output."""
    keep = [line.rstrip() for line in text.splitlines()
            if line.startswith('|') or line.startswith('torch ')]
    # a blank line between the settings line and its table
    out = []
    for line in keep:
        if line.startswith('torch ') and out:
            out.append('')
        out.append(line)
        if line.startswith('torch '):
            out.append('')
    return '\n'.join(out)


def group_by_label(work_dirs: Dict[str, str]
                   ) -> Tuple[Dict[str, GroupSummary], List[RunResult]]:
    """Summarise runs per report label (``label -> [work dirs]``)."""
    groups, skipped = {}, []
    for label, dirs in work_dirs.items():
        runs = [read_run(d) for d in dirs]
        found, left_out = summarize_runs(runs)
        skipped += left_out
        if len(found) > 1:
            raise SystemExit(f'{label}: its runs differ in more than the seed '
                             f'({[g.first.work_dir for g in found]}).')
        if found:
            groups[label] = found[0]
    return groups, skipped


def training_span(work_dirs: Sequence[str]) -> str:
    """When the trainings ran, from their logs (an interrupted bench that
    was run again spans several invocations)."""
    sessions = [session for work_dir in work_dirs
                for session in load_history(work_dir).sessions
                if session.start and session.end]
    if not sessions:
        return 'No training log found.'
    start = min(s.start for s in sessions)
    end = max(s.end for s in sessions)
    busy = sum(s.wall_time for s in sessions)
    return (f'Trainings ran from {start:%Y-%m-%d %H:%M} to {end:%H:%M} '
            f'({(end - start).total_seconds() / 60:.0f} minutes; the '
            f'{len(work_dirs)} runs themselves took {busy / 60:.0f} minutes).')


def reliability_overlay(best: Tuple[str, str], alone_dir: str,
                        out_dir: str) -> str:
    """Reliability diagram of the best method against the student alone
    (seed of the first run of each), plus one diagram per model."""
    bins = {}
    for label, work_dir in ((STUDENT_ALONE.name, alone_dir), best):
        _, model_bins = reliability_diagram.main([
            find_config(work_dir), last_checkpoint(work_dir), '--model',
            'student', '--out',
            osp.join(out_dir, 'plots',
                     f'reliability_{osp.basename(work_dir)}.png')])
        bins[label] = model_bins['student']
    out = osp.join(out_dir, 'reliability_best_vs_alone.png')
    plot_reliability_diagram(
        bins, out, title=f'resnet8 on the embedded test set: {best[0]} '
        'against the student alone')
    return out


def write_report(args, clock: Clock, runs: Dict[str, List[str]],
                 teacher_dir: str, equal: Optional[dict],
                 loss_output: str, step_output: str, machine: dict,
                 load_start: str) -> str:
    work_dir = args.work_dir
    full_table = summarize_results.main(
        [teacher_dir] + [d for dirs in runs.values() for d in dirs] +
        ['--out-dir', work_dir])
    groups, skipped = group_by_label(runs)
    teacher = read_run(teacher_dir)
    alone = groups.get(STUDENT_ALONE.name)
    rows = [(label, group) for label, group in groups.items()]

    methods = [(m.name, groups[m.name]) for m in args.methods
               if m.name in groups and groups[m.name].top1_last.n]
    best = max(methods, key=lambda item: item[1].top1_last.mean,
               default=None)
    plots = []
    seed0 = [dirs[0] for label, dirs in runs.items()
             if label != (equal or {}).get('label')]
    plots.append(plot_curves.main(
        seed0 + ['--keys', 'loss', 'accuracy/top1', 'calibration/ece', 'lr',
                 # no title: with ten runs the legend takes its place
                 '--out', osp.join(work_dir, 'curves.png')]))
    if best is not None and alone is not None:
        plots.append(reliability_overlay(
            (best[0], runs[best[0]][0]), runs[STUDENT_ALONE.name][0],
            work_dir))

    lines = [
        '# mmlogitkd CPU benchmark',
        '',
        training_span([teacher_dir] + [d for dirs in runs.values()
                                       for d in dirs]),
        '',
        f'This report: `{" ".join(args.argv_shown)}`, '
        f'{datetime.date.today().isoformat()} {clock.start_text} to '
        f'{datetime.datetime.now().strftime("%H:%M")} '
        f'({(time.time() - clock.start) / 60:.1f} minutes; finished runs '
        'and timings of earlier invocations are reused).',
        '',
        '## Machine',
        '',
        '| | |',
        '|---|---|',
    ] + [f'| {key} | {value} |' for key, value in machine.items()] + [
        f'| load average (1, 5, 15 min), this invocation | '
        f'{load_start} at the start, '
        f'{load_average()} at the end |',
        '',
        'Timings are only comparable within one report: a loaded machine '
        '(load average above the core count) slows every run.',
        '',
        '## Setup',
        '',
        f'- Data: the embedded CIFAR-100-format dataset '
        f'(docs/embedded_dataset.md), {args.train_per_class} training and '
        f'{args.test_per_class} test images per class, 100 classes; top-1 '
        'and ECE on the test split.',
        f'- Teacher: CIFAR resnet20, {_epochs(args.teacher_epochs)}, top-1 '
        f'{_fmt(teacher.top1_last)}%, ECE '
        f'{_fmt(None if teacher.ece_last is None else 100 * teacher.ece_last)}'
        '%.',
        f'- Student: CIFAR resnet8, {_epochs(args.epochs)} for every method '
        f'(SGD lr 0.05, x0.1 after epoch {lr_milestone(args.epochs)}, '
        f'batch 64), seeds {", ".join(map(str, args.seeds))}; method '
        'settings are the CIFAR-100 ones of configs/_base_/methods/ (see '
        f'configs/bench/), DKD/AEKT warm-up '
        f'{_epochs(warmup_epochs(args.epochs))}.',
        '- Every run is `tools/train.py` on a config of configs/bench/; the '
        'run folders are in runs/.',
        '',
        '## Accuracy and calibration per method',
        '',
        method_table(rows, STUDENT_ALONE.name,
                     {label: iteration_seconds([r.work_dir for r in g.runs])
                      for label, g in rows}),
        '',
        'Last epoch, mean ± sample std over seeds (docs/reporting.md). '
        '"vs alone": difference of the mean to the student alone trained for '
        'the same epochs. "s / iteration": median time of a training '
        'iteration (batch 64; MMEngine\'s logged `time`, all seeds), robust '
        'to busy moments of a shared machine, unlike the wall times in the '
        'table of every run below; "cost vs alone": its ratio to the student '
        'alone\'s. A short schedule on a small task: '
        'these numbers show what each method does at this scale, not its '
        'published CIFAR-100 result.',
    ]
    if best is not None:
        lines += ['', f'Best method by mean last-epoch top-1: **{best[0]}**.']
    lines += ['', '## Equal epochs versus equal compute', '']
    if equal is None:
        lines.append('Not run (--no-equal-compute, or KD not among the '
                     'methods).')
    else:
        lines.append(
            f'A KD iteration took {equal["method_seconds"]:.3f} s and one of '
            f'the student alone {equal["alone_seconds"]:.3f} s (medians over '
            'seeds), so the student alone given KD\'s training time for '
            f'{_epochs(args.epochs)} trains {_epochs(equal["epochs"])} (row '
            f'"{equal["label"]}" above). '
            'Papers compare at equal epochs; part of an equal-epoch gain can '
            'be faster convergence, which equal compute separates from a '
            'lasting benefit (docs/embedded_dataset.md).')
        kd, long_alone = groups.get('KD'), groups.get(equal['label'])
        if kd and long_alone and kd.top1_last.n and long_alone.top1_last.n:
            lines += ['', f'KD at {_epochs(args.epochs)}: '
                      f'{kd.top1_last.format()}%; the student alone at '
                      f'{equal["epochs"]} epochs: '
                      f'{long_alone.top1_last.format()}% (difference '
                      f'{kd.top1_last.mean - long_alone.top1_last.mean:+.2f}'
                      ').']
    lines += [
        '', '## Every run (summarize_results.py)', '',
        full_table.rstrip(), '',
        'Also in results.md and results.csv.', '',
        '## Loss timings (benchmark_losses.py)', '',
        'Forward + backward of each loss on random logits, against a '
        'straightforward implementation of the published formula (and '
        'MMRazor where it has the method).', '',
        markdown_tables(loss_output) or '(no table printed)', '',
        '## Training step timings (benchmark_step.py)', '',
        'One full training step of the '
        f'{STEP_BENCH_PAIR.replace(":", " → ")} pair per method, against '
        'a student step plus a teacher forward (per view), and MMRazor '
        'SingleTeacherDistill KD. '
        'DKD+LS and CRLD+LS are not timed by this tool (the +LS variants '
        'cost what their host costs, see the loss timings).', '',
        markdown_tables(step_output) or '(no table printed)', '',
        '## Plots', '',
    ]
    lines += [f'![{osp.basename(p)}]({osp.relpath(p, work_dir)})'
              for p in plots]
    lines += ['', '- curves.png: total loss, top-1, ECE and lr of the first '
              'seed of every run.']
    if best is not None and alone is not None:
        lines.append('- reliability_best_vs_alone.png: reliability diagram '
                     f'of {best[0]} against the student alone (first seed); '
                     'plots/ has one diagram per model.')
    if skipped:
        lines += ['', 'Unfinished runs, left out: ' +
                  ', '.join(r.work_dir for r in skipped)]
    report = osp.join(work_dir, 'report.md')
    with open(report, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return report


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
    print(f'make bench: {len(args.methods)} methods x {len(args.seeds)} '
          f'seeds, {_epochs(args.epochs)}, into {work_dir}\n'
          f'machine: {machine["CPU"]}, {machine["cores"]}, torch '
          f'{machine["torch"]}; load average {load_start}', flush=True)

    # 1. data
    run_command([sys.executable, GENERATOR, '--out', args.data_root,
                 '--train-per-class', str(args.train_per_class),
                 '--test-per-class', str(args.test_per_class)],
                osp.join(work_dir, 'generate_data.log'),
                show=('Wrote', 'Up to date'))
    # what the generator wrote (its defaults included): runs trained on
    # other data are not reused
    with open(osp.join(args.data_root, 'generator.json')) as f:
        data_spec = dict(root=args.data_root, generator=json.load(f))
    data_options = [f'{loader}.dataset.data_root={args.data_root}'
                    for loader in ('train_dataloader', 'val_dataloader',
                                   'test_dataloader')]

    # 2. teacher
    teacher_dir = train(
        TEACHER, osp.join(work_dir, 'teacher'),
        data_options + schedule_options(args.teacher_epochs) +
        ['randomness.seed=0'], data_spec, clock)
    teacher_ckpt = last_checkpoint(teacher_dir)

    # 3. students, seed by seed (a bench cut short still has whole seeds)
    def student_options(run: BenchRun, seed: int, epochs: int) -> List[str]:
        options = data_options + schedule_options(epochs) + [
            f'randomness.seed={seed}']
        if run.distils:
            options.append(f'model.teacher_ckpt={teacher_ckpt}')
        if run.warmup_loss:
            options.append(f'model.distill_losses.{run.warmup_loss}.'
                           f'warmup_epochs={warmup_epochs(epochs)}')
        return options

    runs_dir = osp.join(work_dir, 'runs')
    runs: Dict[str, List[str]] = {}
    for index, seed in enumerate(args.seeds):
        for run in [STUDENT_ALONE] + args.methods:
            runs.setdefault(run.name, []).append(train(
                run, osp.join(runs_dir, f'{run.slug}_seed{seed}'),
                student_options(run, seed, args.epochs), data_spec, clock))
        left = len(args.seeds) - index - 1
        if left:
            print(f'\n{clock} seed {seed} done, {left} more to go',
                  flush=True)

    # 4. equal compute: the student alone for KD's wall time
    equal = None
    if args.equal_compute and EQUAL_COMPUTE_REFERENCE in runs:
        method_seconds = iteration_seconds(runs[EQUAL_COMPUTE_REFERENCE])
        alone_seconds = iteration_seconds(runs[STUDENT_ALONE.name])
        epochs = equal_compute_epochs(args.epochs, method_seconds,
                                      alone_seconds)
        label = f'student alone, {EQUAL_COMPUTE_REFERENCE}\'s time'
        equal = dict(label=label, epochs=epochs,
                     method_seconds=method_seconds,
                     alone_seconds=alone_seconds)
        for seed in args.seeds:
            runs.setdefault(label, []).append(train(
                STUDENT_ALONE,
                osp.join(runs_dir, f'alone-{epochs}ep_seed{seed}'),
                student_options(STUDENT_ALONE, seed, epochs), data_spec,
                clock))
    elif args.equal_compute:
        print(f'\nequal compute skipped: {EQUAL_COMPUTE_REFERENCE} is not '
              'among the methods', flush=True)

    # 5. timings (after the trainings, so they do not compete with them)
    names = [m.name for m in args.methods]
    # the bench's batch x classes, and an ImageNet-sized one
    loss_flags = ['--sizes', '64x100', '--warmup', '1', '--repeats', '3'] \
        if args.quick else ['--sizes', '64x100', '256x1000']
    loss_output = timed_tool(
        'loss timings',
        [sys.executable, LOSS_BENCH, '--losses'] + names + loss_flags,
        osp.join(work_dir, 'timings', 'losses'), clock)
    step_methods = [m.step_bench for m in args.methods if m.step_bench]
    step_output = ''
    if step_methods:
        step_output = timed_tool(
            'training step timings',
            [sys.executable, STEP_BENCH, '--pairs', STEP_BENCH_PAIR,
             '--methods'] + step_methods +
            (['--iters', '2', '--warmup', '1'] if args.quick else []),
            osp.join(work_dir, 'timings', 'step'), clock)

    # 6. report and plots
    print(f'\n{clock} report', flush=True)
    report = write_report(args, clock, runs, teacher_dir, equal, loss_output,
                          step_output, machine, load_start)
    print(f'\n{clock} done: {report}', flush=True)
    return report


if __name__ == '__main__':
    main()
