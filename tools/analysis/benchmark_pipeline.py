"""Is the training loop as fast as the model? The real ``tools/train.py``
against the compute floor, side by side in one run.

For the bench pair (resnet20 teacher -> resnet8 student, batch 64, the
embedded dataset) it runs, interleaved repeat by repeat so that load
changes hit every row alike:

* ``tools/train.py`` for ``--iters`` iterations of: the student alone, KD,
  CRLD, and (``--cache``) KD and CRLD reading a warm teacher-logit cache,
  each with :class:`~mmlogitkd.engine.hooks.IterationProfileHook`, which
  splits an iteration into data wait, preprocessing, step (forward, losses,
  backward, SGD) and hooks;
* in this process, the **compute floor** of each: a student train step
  (forward, CE, backward, SGD) on already-prepared batches of the same
  shape, plus the teacher forward (no grad) where the method runs it; two
  student steps and a two-view teacher forward for CRLD; the student step
  alone (two for CRLD) for the warm-cache rows, whose teacher is skipped.

It prints the median iteration of each run, its floor and their ratio, and
where the rest of the time goes; ``--out`` writes the numbers as JSON.
Targets (docs/benchmark.md): an iteration <= 1.2 x the floor for the student
alone and KD; a warm-cache KD run <= 1.05 x the student alone, a warm-cache
CRLD run <= 1.05 x two student steps.

    python tools/analysis/benchmark_pipeline.py [--iters 60] [--repeats 2] \\
        [--workers 0] [--cache] [--out result.json]
"""
import argparse
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import tempfile
import time
from statistics import median
from typing import Dict, List

ANALYSIS = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(osp.dirname(ANALYSIS))
sys.path.insert(0, REPO)
import mmlogitkd  # noqa: E402,F401  (compat first)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402

from mmlogitkd.engine.hooks.iteration_profile_hook import \
    PROFILE_FILE  # noqa: E402
from mmlogitkd.methods import get_method  # noqa: E402
from mmlogitkd.models.builder import build_classifier  # noqa: E402
from mmlogitkd.utils.launch import dataloader_options  # noqa: E402

TRAIN = osp.join(REPO, 'tools', 'train.py')
GENERATOR = osp.join(REPO, 'tools', 'dataset_converters',
                     'generate_embedded_cifar100.py')
BENCH = osp.join(REPO, 'configs', 'bench')
BATCH = 64

#: row -> (config kind, method name or None, teacher cache warm,
#: student views of the floor, teacher forwards of the floor)
ROWS = {
    'student alone': ('alone', None, False, 1, 0),
    'KD': ('method', 'KD', False, 1, 1),
    'CRLD': ('method', 'CRLD', False, 2, 2),
    'KD, warm cache': ('method', 'KD', True, 1, 0),
    'CRLD, warm cache': ('method', 'CRLD', True, 2, 0),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--iters', type=int, default=60,
                        help='training iterations per run (default 60)')
    parser.add_argument('--skip', type=int, default=10,
                        help='first iterations left out (warm-up)')
    parser.add_argument('--repeats', type=int, default=2)
    parser.add_argument('--workers', type=int, default=0,
                        help='data-loader workers of the runs (default 0, '
                        'as make bench loads: see run_bench.py --workers)')
    parser.add_argument('--cache', action='store_true',
                        help='also time KD and CRLD on a warm cache')
    parser.add_argument('--per-image', action='store_true',
                        help='augment per image in the workers '
                        '(augment_on_device off) instead of on the device')
    parser.add_argument('--work-dir', help='keep the runs here (default: a '
                        'temporary folder)')
    parser.add_argument('--out', help='write the results as JSON')
    return parser.parse_args(argv)


# --------------------------------------------------------------------------
# Real runs
# --------------------------------------------------------------------------
def write_config(folder: str, kind: str, method: str, per_image: bool) -> str:
    """A config for a run of ``kind`` with the profiling hook."""
    base = osp.join(BENCH, 'alone.py') if kind == 'alone' else None
    lines = []
    if base is None:
        m = get_method(method)
        lines.append('_base_ = [' + ', '.join(repr(p) for p in (
            osp.join(BENCH, 'bench_pair.py'), m.base('cifar100'),
            osp.join(BENCH, 'bench_runtime.py'))) + ']')
        lines.append('model = dict(student=_base_.student, '
                     'teacher=_base_.teacher)')
    else:
        lines.append(f'_base_ = [{base!r}]')
    lines.append('custom_hooks = _base_.custom_hooks + '
                 '[dict(type="IterationProfileHook", skip=0)]')
    if per_image:
        lines += [
            'data_preprocessor = dict(train_views=None)',
            "train_dataloader = dict(dataset=dict(pipeline=" +
            ("_base_.weak_view + [dict(type='PackInputs')]" if
             kind == 'alone' or get_method(method).num_views == 1 else
             "[dict(type='MultiView', num_views=[1, 1], transforms="
             "[_base_.weak_view, _base_.strong_view]), "
             "dict(type='PackInputs')]") + '))'
        ]
    path = osp.join(folder, f'{kind}_{method or "alone"}.py')
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return path


def run_training(config: str, work_dir: str, data_root: str, args,
                 extra: List[str]) -> Dict[str, float]:
    """One ``tools/train.py`` run; returns the medians of its profile."""
    if osp.isdir(work_dir):
        shutil.rmtree(work_dir)
    options = dataloader_options(data_root, args.workers) + [
        'train_cfg.max_epochs=1', 'train_cfg.val_interval=1000',
        'default_hooks.checkpoint.interval=1000',
        'default_hooks.logger.interval=1000'] + extra
    result = subprocess.run(
        [sys.executable, TRAIN, config, '--work-dir', work_dir,
         '--no-validate', '--cfg-options'] + options,
        capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f'{config} failed:\n{result.stdout[-2000:]}\n'
                         f'{result.stderr[-3000:]}')
    with open(osp.join(work_dir, PROFILE_FILE)) as f:
        records = json.load(f)['iterations']
    kept = records[args.skip:args.skip + args.iters] or records
    return {key: median(r[key] for r in kept)
            for key in ('data', 'preprocess', 'step', 'hooks', 'total')}


# --------------------------------------------------------------------------
# Compute floor
# --------------------------------------------------------------------------
class Floor:
    """Student train step(s) and teacher forward on prepared batches."""

    def __init__(self) -> None:
        init_default_scope('mmlogitkd')
        torch.manual_seed(0)
        self.student = build_classifier(dict(
            cfg_path='mmlogitkd::_base_/models/cifar100/resnet8.py'))
        self.teacher = build_classifier(dict(
            cfg_path='mmlogitkd::_base_/models/cifar100/resnet20.py')).eval()
        self.optimizer = torch.optim.SGD(self.student.parameters(), lr=0.01,
                                         momentum=0.9, weight_decay=5e-4)
        self.batches = [torch.randn(BATCH, 3, 32, 32) for _ in range(2)]
        self.labels = torch.randint(0, 100, (BATCH, ))

    def step(self, student_views: int, teacher_views: int) -> float:
        start = time.perf_counter()
        if teacher_views:
            with torch.no_grad():
                self.teacher(torch.cat(self.batches[:teacher_views]),
                             mode='tensor')
        loss = sum(
            F.cross_entropy(self.student(x, mode='tensor'), self.labels)
            for x in self.batches[:student_views])
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return time.perf_counter() - start

    def median(self, student_views: int, teacher_views: int, iters: int,
               skip: int) -> float:
        self.student.train()
        times = [self.step(student_views, teacher_views)
                 for _ in range(iters + skip)]
        return median(times[skip:])


# --------------------------------------------------------------------------
def main(argv=None) -> dict:
    args = parse_args(argv)
    folder = args.work_dir or tempfile.mkdtemp(prefix='benchmark_pipeline_')
    os.makedirs(folder, exist_ok=True)
    data_root = osp.join(folder, 'data')
    # one epoch of exactly skip + iters full batches (100 classes)
    per_class = -(-(args.skip + args.iters) * BATCH // 100)
    subprocess.run([sys.executable, GENERATOR, '--out', data_root,
                    '--train-per-class', str(per_class),
                    '--test-per-class', '1'], check=True,
                   capture_output=True)
    floor = Floor()
    teacher = osp.join(folder, 'teacher.pth')
    torch.save({'state_dict': floor.teacher.state_dict()}, teacher)
    cache = osp.join(folder, 'teacher_cache')
    rows = {name: spec for name, spec in ROWS.items()
            if args.cache or not spec[2]}
    configs = {name: write_config(folder, kind, method, args.per_image)
               for name, (kind, method, _, _, _) in rows.items()}
    if args.cache:  # fill the cache once (cold runs of KD and CRLD)
        for name in ('KD', 'CRLD'):
            run_training(configs[name], osp.join(folder, 'fill'), data_root,
                         args, [f'model.teacher_ckpt={teacher}',
                                f'model.teacher_cache.root={cache}'])
    runs: Dict[str, List[dict]] = {name: [] for name in rows}
    floors: Dict[str, List[float]] = {name: [] for name in rows}
    for repeat in range(args.repeats):
        for name, (kind, method, warm, s_views, t_views) in rows.items():
            extra = [] if kind == 'alone' else [
                f'model.teacher_ckpt={teacher}']
            if warm:
                extra.append(f'model.teacher_cache.root={cache}')
            runs[name].append(run_training(
                configs[name], osp.join(folder, 'run'), data_root, args,
                extra))
            floors[name].append(floor.median(s_views, t_views, args.iters,
                                             args.skip))
            print(f'done {name} ({repeat + 1}/{args.repeats})', flush=True)
    results = []
    for name in rows:
        profile = {key: median(r[key] for r in runs[name])
                   for key in runs[name][0]}
        results.append(dict(run=name, floor=median(floors[name]),
                            ratio=profile['total'] / median(floors[name]),
                            **profile))
    alone = next(r for r in results if r['run'] == 'student alone')
    for row in results:
        row['vs_alone'] = row['total'] / alone['total']
    output = dict(torch=torch.__version__, threads=torch.get_num_threads(),
                  workers=args.workers, iters=args.iters,
                  repeats=args.repeats, per_image=args.per_image,
                  batch_size=BATCH, results=results)
    print(f'\ntorch {torch.__version__}, {torch.get_num_threads()} threads, '
          f'batch {BATCH}, {args.workers} workers, augmentation '
          f'{"per image in the workers" if args.per_image else "on the device"}'
          f', medians of {args.iters} iterations x {args.repeats} repeats\n')
    print(markdown(results))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(output, f, indent=2)
    if not args.work_dir:
        shutil.rmtree(folder, ignore_errors=True)
    return output


def markdown(results: List[dict]) -> str:
    """The table of ``results`` (milliseconds)."""
    lines = ['| run | iteration (ms) | floor (ms) | iteration / floor | '
             'vs student alone | data wait | preprocessing | step | hooks |',
             '|---|---:|---:|---:|---:|---:|---:|---:|---:|']
    for r in results:
        lines.append(
            f"| {r['run']} | {1e3 * r['total']:.1f} | "
            f"{1e3 * r['floor']:.1f} | {r['ratio']:.2f} | "
            f"{r['vs_alone']:.2f} | {1e3 * r['data']:.1f} | "
            f"{1e3 * r['preprocess']:.1f} | {1e3 * r['step']:.1f} | "
            f"{1e3 * r['hooks']:.1f} |")
    return '\n'.join(lines)


if __name__ == '__main__':
    main()
