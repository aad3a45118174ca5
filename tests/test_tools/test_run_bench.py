"""tools/analysis/run_bench.py (`make bench`, `make demo`) and configs/bench.

The schedule rules, presets and per-method table are checked against
numbers worked out by hand; the reuse logic on folders made here; the
method leaves against mmlogitkd.methods; and the ``quick`` preset runs the
whole pipeline end to end (teacher and its views, student alone, KD and
CRLD with the teacher-logit cache, timings, plots, report), then again to
check that every finished piece of work is reused.
"""
import datetime
import importlib.util
import json
import os.path as osp

import pytest

from conftest import REPO_ROOT, run_tool

import mmlogitkd  # noqa: F401
from mmengine.config import Config

from mmlogitkd.evaluation.reporting import (GroupSummary, RunResult,
                                            describe_method)
from mmlogitkd.methods import METHODS
from mmlogitkd.utils.config_checks import training_views

PNG_MAGIC = b'\x89PNG\r\n\x1a\n'


def load_run_bench():
    path = osp.join(REPO_ROOT, 'tools', 'analysis', 'run_bench.py')
    spec = importlib.util.spec_from_file_location('analysis_run_bench', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = load_run_bench()


# --------------------------------------------------------------------------
# Schedule rules and presets
# --------------------------------------------------------------------------
@pytest.mark.parametrize('epochs,milestones', [
    (1, [1]), (2, [1, 2]), (8, [5, 6, 7]), (20, [13, 15, 18]),
    (30, [19, 23, 26]), (240, [150, 180, 210])])
def test_lr_milestones_keep_the_cifar_recipe_fractions(epochs, milestones):
    # 150/240, 180/240, 210/240 of the epochs, rounded half up
    assert bench.lr_milestones(epochs) == milestones


@pytest.mark.parametrize('epochs,warmup', [(1, 1), (5, 1), (8, 1), (18, 2),
                                           (24, 2), (240, 20)])
def test_warmup_keeps_the_published_share(epochs, warmup):
    # DKD's CIFAR recipe: 20 warm-up epochs of 240
    assert bench.warmup_epochs(epochs) == warmup


def test_equal_compute_epochs():
    # a KD iteration takes 0.17 s, one of the student alone 0.1 s: in the
    # time of 8 KD epochs the student alone trains 8 x 1.7 = 13.6 -> 14
    assert bench.equal_compute_epochs(8, 0.17, 0.1) == 14
    assert bench.equal_compute_epochs(8, 100.0, 100.0) == 8
    assert bench.equal_compute_epochs(1, 10.0, 100.0) == 1  # at least one
    with pytest.raises(ValueError, match='positive'):
        bench.equal_compute_epochs(8, 170.0, 0.0)


def test_the_bench_preset_can_rank_methods():
    preset = bench.PRESETS['bench']
    assert len(preset.seeds) == 3 and preset.methods is None
    # standard error of top-1 at most 0.5 point: sqrt(p (1 - p) / n) with
    # p = 0.5 (the worst case) needs n >= 10,000 test images
    assert preset.test_per_class * 100 >= 10000
    assert preset.equal_compute and preset.teacher_epochs > preset.epochs
    # its time budget: two trainings at once, channels-last (flags can undo
    # both: the published 3-seed table ran with --jobs 1 --no-channels-last)
    assert (preset.jobs, preset.channels_last) == (2, True)
    args = bench.parse_args(['--jobs', '1', '--no-channels-last'])
    assert (args.jobs, args.channels_last) == (1, False)
    declared = {m.name for m in METHODS if m.in_bench}
    assert set(bench.bench_method_names()) == declared
    assert {'KD', 'DKD', 'KD+LS', 'DKD+LS', 'MLKD', 'CRLD', 'CRLD+LS', 'CKD',
            'AEKT'} <= declared


def test_flags_are_checked_before_any_work(capsys):
    args = bench.parse_args(['--preset', 'demo'])
    assert args.workers == 0 and args.epochs == bench.PRESETS['demo'].epochs
    for flags, message in ((['--workers', '-1'], '--workers must be >= 0'),
                           (['--jobs', '0'], '--jobs must be >= 1'),
                           (['--epochs', '0'], '--epochs must be >= 1'),
                           (['--seeds', '1', '1'], 'must be distinct'),
                           (['--methods', 'NOPE'], 'NOPE')):
        with pytest.raises(SystemExit):
            bench.parse_args(flags)
        assert message in capsys.readouterr().err, flags


def test_the_demo_uses_the_shipped_teacher_on_the_bench_data(capsys):
    demo = bench.parse_args(['--preset', 'demo'])
    assert demo.teacher == osp.join(REPO_ROOT, bench.SHIPPED_TEACHER)
    assert demo.data_root == osp.join(REPO_ROOT, 'data',
                                      'embedded_cifar100_bench')
    preset, other = bench.PRESETS['demo'], bench.PRESETS['bench']
    assert (preset.train_per_class, preset.test_per_class) == \
        (other.train_per_class, other.test_per_class)
    assert preset.teacher_epochs == other.teacher_epochs
    # the bench uses the same shipped teacher; --teacher train retrains it
    assert bench.parse_args([]).teacher == demo.teacher
    assert bench.parse_args(['--teacher', 'train']).teacher is None
    # asking for teacher epochs means training one; naming both is an error
    assert bench.parse_args(['--preset', 'demo', '--teacher-epochs',
                             '5']).teacher is None
    assert bench.parse_args(['--preset', 'demo', '--teacher',
                             'train']).teacher is None
    assert bench.parse_args(['--teacher', 'x/y']).teacher == \
        osp.abspath('x/y')
    with pytest.raises(SystemExit):
        bench.parse_args(['--teacher', 'x/y', '--teacher-epochs', '5'])
    assert '--teacher-epochs trains a teacher' in capsys.readouterr().err


# --------------------------------------------------------------------------
# configs/bench and the method leaves
# --------------------------------------------------------------------------
@pytest.mark.parametrize('method', [m for m in METHODS if m.in_bench],
                         ids=lambda m: m.key)
def test_method_leaves_follow_the_declaration(method, tmp_path):
    path = bench.method_config(method, str(tmp_path))
    cfg = Config.fromfile(path)
    model = cfg.model
    assert describe_method(model) == method.name
    assert model.type == 'LogitDistiller'
    assert model.student.cfg_path.endswith('/resnet8.py')
    assert model.teacher.cfg_path.endswith('/resnet20.py')
    assert training_views(cfg)[0] == method.num_views
    assert set(model.distill_losses) == {method.loss_name}
    base = method.loss_config('cifar100')
    assert model.distill_losses[method.loss_name] == base
    assert (model.distill_head is not None) == bool(method.distill_head)
    warmup = bench.loss_has_warmup(path)
    assert (warmup is not None) == ('warmup_epochs' in base)
    assert cfg.default_hooks.checkpoint.save_best is None
    with open(path) as f:
        assert len(f.read().splitlines()) <= 10


@pytest.mark.parametrize('name,arch', [('teacher.py', 'resnet20'),
                                       ('alone.py', 'resnet8')])
def test_classifier_configs(name, arch):
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', 'bench', name))
    assert cfg.model.type == 'ImageClassifier'
    assert cfg.model.backbone.arch == arch
    assert cfg.model.head.cal_acc is True  # training accuracy is logged
    assert cfg.param_scheduler.milestones == bench.lr_milestones(
        cfg.train_cfg.max_epochs)


# --------------------------------------------------------------------------
# Reusing finished work
# --------------------------------------------------------------------------
def test_prepare_folder_reuses_restarts_or_refuses(tmp_path):
    folder = str(tmp_path / 'run')
    spec = dict(config='a.py', options=['x=1'])
    assert bench.prepare_folder(folder, spec, lambda f: True) is False
    with open(osp.join(folder, bench.SPEC_FILE)) as f:
        assert json.load(f) == spec
    # same settings, finished: reused as it is
    (tmp_path / 'run' / 'result').write_text('done')
    assert bench.prepare_folder(folder, spec, lambda f: True) is True
    assert (tmp_path / 'run' / 'result').exists()
    # same settings, unfinished: emptied, to be done again
    assert bench.prepare_folder(folder, spec, lambda f: False) is False
    assert not (tmp_path / 'run' / 'result').exists()
    # other settings: an error naming the folder and what differs
    with pytest.raises(SystemExit, match=r'run".*differs in: options'):
        bench.prepare_folder(folder, dict(spec, options=['x=2']),
                             lambda f: True)


def test_a_training_stopped_mid_run_resumes_from_its_checkpoint(
        tmp_path, monkeypatch):
    """train() with its settings unchanged: an unfinished run holding a
    checkpoint goes on with ``--resume`` (its output log appended), without
    one it starts again in an emptied folder, finished it is reused."""
    config = tmp_path / 'leaf.py'
    config.write_text('x = 1\n')
    run = bench.BenchRun('KD', str(config), 'kd')
    work_dir = tmp_path / 'kd_seed0'
    state = dict(finished=False, calls=[])

    def fake_command(cmd, log_path, append=False, **kwargs):
        state['calls'].append((cmd, append))
        (work_dir / 'last_checkpoint').write_text('epoch_10.pth')
        state['finished'] = True
        return ''

    monkeypatch.setattr(bench, 'run_command', fake_command)
    monkeypatch.setattr(bench, 'run_finished',
                        lambda folder: state['finished'])
    clock = bench.Clock()
    options = ['train_cfg.max_epochs=60']
    bench.train(run, str(work_dir), options, {}, clock)
    (cmd, append), = state['calls']
    assert '--resume' not in cmd and append is False
    spec = json.loads((work_dir / bench.SPEC_FILE).read_text())
    assert bench.resumable(str(work_dir), spec) is False  # finished
    # stopped after a checkpoint: resumed, the folder kept
    state.update(finished=False, calls=[])
    (work_dir / 'kept').write_text('')
    bench.train(run, str(work_dir), options, {}, clock)
    (cmd, append), = state['calls']
    assert cmd[cmd.index('--work-dir') + 2] == '--resume' and append
    assert (work_dir / 'kept').exists()
    # other settings are never resumed (prepare_folder refuses them)
    assert bench.resumable(str(work_dir), dict(spec, options=[])) is False
    # stopped before its first checkpoint: done again from scratch
    state.update(finished=False, calls=[])
    (work_dir / 'last_checkpoint').unlink()
    bench.train(run, str(work_dir), options, {}, clock)
    (cmd, append), = state['calls']
    assert '--resume' not in cmd and not (work_dir / 'kept').exists()
    # the schedule saves every CHECKPOINT_EVERY epochs, or at the end
    assert 'default_hooks.checkpoint.interval=10' in \
        bench.schedule_options(60, 5)
    assert 'default_hooks.checkpoint.interval=3' in \
        bench.schedule_options(3, 5)


# --------------------------------------------------------------------------
# Trainings at once
# --------------------------------------------------------------------------
def trainings_of(names, seeds, tmp_path):
    alone = bench.BenchRun(bench.ALONE, 'alone.py', 'alone')
    runs = [alone] + [bench.BenchRun(m.name, f'{m.key}.py', m.key, m)
                      for m in (bench.get_method(n) for n in names)]
    return [bench.Training(run, str(tmp_path / f'{run.slug}_seed{seed}'),
                           [f's={seed}'], seed)
            for seed in seeds for run in runs]


def test_each_distillation_waits_for_the_teacher_pass_of_its_group(tmp_path):
    # DKD is listed before KD, but KD (the reference, whose logged time
    # sizes the equal-compute runs) computes the one-view teacher logits;
    # CRLD computes the two-view ones that MLKD then reads; per seed
    trainings = trainings_of(['DKD', 'KD', 'CRLD', 'MLKD', 'CKD'],
                                      [0, 1], tmp_path)
    bench.cache_fillers(trainings)
    after = {osp.basename(t.work_dir): t.after and osp.basename(t.after)
             for t in trainings}
    for seed in (0, 1):
        assert after[f'alone_seed{seed}'] is None
        assert after[f'kd_seed{seed}'] is None
        assert after[f'crld_seed{seed}'] is None
        assert after[f'dkd_seed{seed}'] == f'kd_seed{seed}'
        assert after[f'ckd_seed{seed}'] == f'kd_seed{seed}'
        assert after[f'mlkd_seed{seed}'] == f'crld_seed{seed}'


class FakeTrainer:
    """Stands in for ``train``: records when each training starts and ends
    and with how many threads; ``fail`` names one that raises."""

    def __init__(self, fail=None, seconds=0.02, slow=()):
        import threading
        self.lock = threading.Lock()
        self.events, self.threads, self.running, self.most = [], {}, 0, 0
        self.fail, self.seconds, self.slow = fail, seconds, slow

    def __call__(self, run, work_dir, options, data_spec, clock, prefix='',
                 threads=None):
        import time
        name = osp.basename(work_dir)
        with self.lock:
            self.events.append(('start', name))
            self.threads[name] = threads
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(self.seconds * (10 if name.split('_')[0] in self.slow
                                   else 1))
        with self.lock:
            self.running -= 1
            self.events.append(('end', name))
        if name == self.fail:
            raise SystemExit(f'failed: {name}')
        return work_dir


def test_run_trainings_at_once_in_order_after_their_teacher_pass(
        tmp_path, monkeypatch):
    trainings = trainings_of(['KD', 'DKD', 'CRLD'], [0, 1],
                                      tmp_path)
    bench.cache_fillers(trainings)
    fake = FakeTrainer(slow=('kd', ))  # DKD would start before KD ended
    monkeypatch.setattr(bench, 'train', fake)
    monkeypatch.setattr(bench, 'compute_threads', lambda: 2)
    bench.run_trainings(trainings, 2, {}, bench.Clock())
    starts = [n for kind, n in fake.events if kind == 'start']
    ends = [n for kind, n in fake.events if kind == 'end']
    assert sorted(starts) == sorted(osp.basename(t.work_dir)
                                    for t in trainings)
    assert fake.most == 2  # two at once, never more
    assert set(fake.threads.values()) == {1}  # 2 cores / 2 jobs
    assert sorted(ends) == sorted(starts)
    for seed in (0, 1):  # DKD starts only after KD of its seed ended
        kd_end = fake.events.index(('end', f'kd_seed{seed}'))
        assert kd_end < fake.events.index(('start', f'dkd_seed{seed}'))
    # otherwise first come, first served in the given order
    assert starts[:2] == ['alone_seed0', 'kd_seed0']

    # one at a time: the given order, the environment's threads
    fake = FakeTrainer(seconds=0)
    monkeypatch.setattr(bench, 'train', fake)
    bench.run_trainings(trainings, 1, {}, bench.Clock())
    assert [n for kind, n in fake.events if kind == 'start'] == \
        [osp.basename(t.work_dir) for t in trainings]
    assert fake.most == 1 and set(fake.threads.values()) == {None}

    # fewer trainings than jobs: they share the cores
    fake = FakeTrainer(seconds=0)
    monkeypatch.setattr(bench, 'train', fake)
    monkeypatch.setattr(bench, 'compute_threads', lambda: 4)
    bench.run_trainings(trainings[:2], 4, {}, bench.Clock())
    assert set(fake.threads.values()) == {2}
    bench.run_trainings(trainings[:1], 4, {}, bench.Clock())
    assert fake.threads['alone_seed0'] is None  # alone: the machine's


def test_a_failed_training_starts_nothing_new_and_keeps_the_running_one(
        tmp_path, monkeypatch, capsys):
    trainings = trainings_of(['KD', 'DKD'], [0], tmp_path)
    bench.cache_fillers(trainings)
    fake = FakeTrainer(fail='kd_seed0', slow=('kd', ))
    monkeypatch.setattr(bench, 'train', fake)
    monkeypatch.setattr(bench, 'compute_threads', lambda: 2)
    with pytest.raises(SystemExit, match='failed: kd_seed0'):
        bench.run_trainings(trainings, 2, {}, bench.Clock())
    # alone and KD ran at once; DKD (after KD) never started; alone ended
    assert ('start', 'dkd_seed0') not in fake.events
    assert ('end', 'alone_seed0') in fake.events
    assert 'starting nothing new' in capsys.readouterr().out


# --------------------------------------------------------------------------
# Reading runs and the per-method table
# --------------------------------------------------------------------------
def fake_run(top1, seed, work_dir, epochs=10):
    return RunResult(
        work_dir=work_dir, config_file='c.py', config_name='c',
        fingerprint='f', method='m', pair='p', dataset='d', seed=seed,
        batch_size=64, world_size=1, schedule=f'{epochs} ep',
        max_epochs=epochs, last_epoch=epochs, top1_last=top1,
        top1_best=top1 + 1.0, best_epoch=epochs - 1, ece_last=0.05,
        teacher_top1=None, teacher_sha256=None, teacher_checkpoint=None,
        wall_time=100.0)


def write_scalars(work_dir, times, epochs=5, val=(), extra=None):
    """A work dir whose training log has these iteration times (spread over
    ``epochs``) and validation top-1 values ``val`` (one per epoch)."""
    session = work_dir / '20260101_000000' / 'vis_data'
    session.mkdir(parents=True)
    with open(session / 'scalars.json', 'w') as f:
        for step, seconds in enumerate(times, 1):
            epoch = 1 + (step - 1) * epochs // len(times)
            record = dict(lr=0.05, loss=1.0, time=seconds, epoch=epoch,
                          iter=step, step=step, train_acc_top1=50.0 + epoch)
            record.update(extra or {})
            f.write(json.dumps(record) + '\n')
        for epoch, top1 in enumerate(val, 1):
            f.write(json.dumps({'accuracy/top1': top1, 'step': epoch}) +
                    '\n')
    return str(work_dir)


def test_iteration_seconds_is_the_median_over_runs(tmp_path):
    # one run slowed down 10x for a while by another process: the median of
    # all logged intervals stays at the usual 0.1 s (the mean would be 0.4)
    runs = [write_scalars(tmp_path / 'a', [0.1, 1.0, 1.0]),
            write_scalars(tmp_path / 'b', [0.1, 0.1, 0.12]),
            write_scalars(tmp_path / 'c', [0.09, 0.1, 0.11])]
    assert bench.iteration_seconds(runs) == pytest.approx(0.1)
    assert bench.iteration_seconds(runs[2:]) == pytest.approx(0.1)


def test_paired_gain_is_per_seed():
    kd = GroupSummary([fake_run(50.0, 0, 'k0'), fake_run(54.0, 1, 'k1'),
                       fake_run(52.0, 2, 'k2')])
    dkd = GroupSummary([fake_run(51.0, 0, 'd0'), fake_run(56.0, 1, 'd1'),
                        fake_run(55.0, 2, 'd2')])
    diffs, text = bench.paired_gain(dkd, kd)
    assert diffs == [1.0, 2.0, 3.0]
    assert text == '+2.00 ± 1.00'  # mean 2, sample std 1
    # seeds missing from one side are left out
    diffs, text = bench.paired_gain(GroupSummary([fake_run(49.0, 5, 'x')]),
                                    kd)
    assert diffs == [] and text == '–'


def test_convergence_and_diagnostics_from_the_logs(tmp_path):
    # 10 iterations over 5 epochs; validation 40, 50, 55, 58, 59
    work_dir = write_scalars(tmp_path / 'run', [0.1] * 10, epochs=5,
                             val=(40.0, 50.0, 55.0, 58.0, 59.0),
                             extra={'crld/keep_weak': 0.25})
    found = bench.convergence([work_dir])
    assert found['train_acc'] == pytest.approx(55.0)   # epoch 5: 50 + 5
    assert found['late_change'] == pytest.approx(1.0)  # epoch 4 -> 5
    assert bench.diagnostics([work_dir]) == {'crld/keep_weak': 0.25}


def test_method_table_by_hand(tmp_path):
    runs = {
        bench.ALONE: [write_scalars(tmp_path / 'a0', [0.1] * 4),
                      write_scalars(tmp_path / 'a1', [0.1] * 4)],
        'KD': [write_scalars(tmp_path / 'k0', [0.17] * 4),
               write_scalars(tmp_path / 'k1', [0.17] * 4)],
    }
    groups = {
        bench.ALONE: GroupSummary([fake_run(50.0, 0, runs[bench.ALONE][0]),
                                   fake_run(52.0, 1, runs[bench.ALONE][1])]),
        'KD': GroupSummary([fake_run(53.0, 0, runs['KD'][0]),
                            fake_run(55.0, 1, runs['KD'][1])]),
    }
    table = bench.method_table(groups, runs, [bench.ALONE, 'KD'])
    rows = {line.split('|')[1].strip(): [c.strip() for c in
                                         line.split('|')[2:-1]]
            for line in table.splitlines()[2:]}
    # epochs, seeds, top-1 last, vs alone, vs KD, top-1 best, ECE, ECE
    # after TS and T (not calibrated: –), train acc (4 logged iterations in
    # epochs 1-4: the last is 50 + 4), last-fifth change (no validation
    # logged), s/iter, cost
    assert rows[bench.ALONE] == ['10', '0, 1', '51.00 ± 1.41', '+0.00',
                                 '-3.00 ± 0.00', '52.00 ± 1.41',
                                 '5.00 ± 0.00', '–', '–', '54.0', '–',
                                 '0.100', '1.00']
    assert rows['KD'] == ['10', '0, 1', '54.00 ± 1.41', '+3.00', '',
                          '55.00 ± 1.41', '5.00 ± 0.00', '–', '–', '54.0',
                          '–', '0.170', '1.70']


def test_progress_shows_messages_not_timestamps_nor_val_batches():
    show = bench.PROGRESS
    line = ('2026/12/01 14:55:17 - mmengine - INFO - Epoch(train)  [9][50/79]'
            '  lr: 5.0000e-02  eta: 0:51:56  loss: 2.4120\n')
    assert bench.progress_text(line, show) == \
        'Epoch(train)  [9][50/79]  lr: 5.0000e-02  eta: 0:51:56  loss: 2.4120'
    assert bench.progress_text(
        '2026/12/01 - mmengine - INFO - Epoch(val) [5][50/157]    eta: '
        '0:00:05\n', show) is None
    assert bench.progress_text(
        '2026/12/01 - mmengine - INFO - Epoch(val) [5][157/157]    '
        'accuracy/top1: 83.9300\n', show).startswith('Epoch(val) [5]')
    warning = ('2026/12/01 10:00:00 - mmengine - WARNING - Teacher (evaluated'
               ' on 100 images) - near chance\n')
    # only the first three ' - ' separate the header from the message
    assert bench.progress_text(warning, show) == \
        'Teacher (evaluated on 100 images) - near chance'
    assert bench.progress_text('loading annotations\n', show) is None


# --------------------------------------------------------------------------
# End to end
# --------------------------------------------------------------------------
def test_quick_bench_end_to_end_and_reuse(tmp_path):
    work_dir = tmp_path / 'bench'
    args = [osp.join(REPO_ROOT, 'tools', 'analysis', 'run_bench.py'),
            '--preset', 'quick', '--methods', 'KD', 'DKD', 'CRLD',
            '--work-dir', str(work_dir)]
    first = run_tool(args, cwd=str(tmp_path))
    report = (work_dir / 'report.md').read_text()

    section = report.split('## Accuracy and calibration per method')[1]
    table = section.split('\n\n')[1]
    labels = [line.split('|')[1].strip()
              for line in table.splitlines()[2:]]
    assert labels == [bench.ALONE, 'KD', 'DKD', 'CRLD']
    assert bench.cpu_model() in report
    assert 'strong/clean ratio on test images' in report  # teacher views
    assert '`crld/keep_weak`' in report and '`dkd/warmup`' in report
    assert '| KD | 64 x 100 | cpu |' in report  # benchmark_losses.py JSON
    assert '| resnet20:resnet8 | CRLD |' in report  # benchmark_step.py JSON
    # DKD read KD's teacher pass (same pipeline and seed): 2 of 6 batches
    # (2 iterations per run: 200 images, batch 64... rounded up)
    assert 'read the teacher\'s logits from the cache' in report
    with open(work_dir / 'curves.png', 'rb') as f:
        assert f.read(8) == PNG_MAGIC
    assert (work_dir / 'results.csv').exists()
    with open(work_dir / 'data' / 'generator.json') as f:
        settings = json.load(f)['settings']
    assert (settings['train_per_class'], settings['test_per_class']) == (2, 1)
    # temperature scaling fits on a second draw (seed 1) no run trains on
    calibration_root = str(work_dir / 'data') + '_calibration'
    with open(osp.join(calibration_root, 'generator.json')) as f:
        held_out = json.load(f)['settings']
    assert (held_out['seed'], held_out['train_per_class']) == (
        bench.CALIBRATION_DATA_SEED, 1) and settings['seed'] == 0
    for run in ('alone_seed0', 'kd_seed0', 'dkd_seed0', 'crld_seed0'):
        assert (work_dir / 'runs' / run / 'last_checkpoint').exists()
        with open(work_dir / 'runs' / run / bench.SCALING_FILE) as f:
            scaling = json.load(f)
        assert scaling['temperature'] > 0
        assert scaling['calibration_root'] == calibration_root
        assert scaling['calibration']['num_samples'] == 100
        assert scaling['seen_in_training'] is False
    # every run loads in the training process (--workers 0, the default)
    for run, leaf in (('alone_seed0', 'alone.py'), ('kd_seed0', 'kd.py')):
        dumped = Config.fromfile(str(work_dir / 'runs' / run / leaf))
        for loader in ('train_dataloader', 'val_dataloader'):
            assert dumped[loader].num_workers == 0, (run, loader)
            assert dumped[loader].persistent_workers is False, (run, loader)
    kd_row = next(line for line in table.splitlines()
                  if line.startswith('| KD |'))
    # ECE last, ECE after TS, T: numbers, not '–'
    assert '–' not in kd_row.split('|')[8:11]
    assert 'ECE after TS (%)' in first.stdout  # the terminal table
    assert 'finished before, reusing' not in first.stdout
    dkd_log = open(sorted((work_dir / 'runs' / 'dkd_seed0').glob(
        '*/*.log'))[0]).read()
    assert 'batches read, 0 computed by the teacher' in dkd_log

    second = run_tool(args, cwd=str(tmp_path))
    # teacher, student alone, KD, DKD, CRLD
    assert second.stdout.count('finished before, reusing') == 5
    check_published_teacher(tmp_path, work_dir)
    assert second.stdout.count('done before, reusing') == 3  # views, timings
    assert 'train.py' not in second.stdout
    assert 'temperature scaling:' not in second.stdout  # done once per run


def check_published_teacher(tmp_path, work_dir):
    """The quick bench's teacher, published, then used by another bench on
    the same data (pinned by its hash), and refused for other data."""
    published = tmp_path / 'published'
    run_tool([osp.join(REPO_ROOT, 'tools', 'model_converters',
                       'publish_run.py'), str(work_dir / 'teacher'),
              str(published)], cwd=str(tmp_path))
    with open(published / 'published.json') as f:
        record = json.load(f)
    args = [osp.join(REPO_ROOT, 'tools', 'analysis', 'run_bench.py'),
            '--preset', 'quick', '--methods', 'KD', '--no-timings',
            '--teacher', str(published), '--data-root',
            str(work_dir / 'data'), '--work-dir', str(tmp_path / 'reuse')]
    result = run_tool(args + ['--jobs', '2', '--channels-last'],
                      cwd=str(tmp_path))
    assert 'teacher: the published run' in result.stdout
    assert 'teacher resnet20: teacher' not in result.stdout  # not trained
    # two at once (their progress lines named), channels-last in both
    assert '[alone_seed0] ' in result.stdout
    assert '[kd_seed0   ] ' in result.stdout
    alone = Config.fromfile(str(tmp_path / 'reuse' / 'runs' / 'alone_seed0' /
                                'alone_channels-last.py'))
    assert alone.custom_hooks[-1].type == 'ChannelsLastHook'
    assert 'ChannelsLastHook: 4-D weights in channels-last' in open(sorted(
        (tmp_path / 'reuse' / 'runs' / 'alone_seed0').glob('*/*.log'))[0]
    ).read()
    kd = Config.fromfile(str(tmp_path / 'reuse' / 'runs' / 'kd_seed0' /
                             'kd.py'))
    assert kd.model.teacher_ckpt_sha256 == record['sha256']
    assert kd.model.channels_last is True
    assert kd.model.teacher_ckpt == str(tmp_path / 'reuse' / 'teacher' /
                                        record['checkpoint'])
    report = (tmp_path / 'reuse' / 'report.md').read_text()
    assert 'the published run' in report
    # the installed teacher ships no training log: only the two students
    # count as runs of this bench
    assert 'the 2 runs themselves took' in report
    assert 'up to 2 at once (--jobs)' in report and 'channels-last' in report
    other = run_tool(args[:-4] + ['--train-per-class', '3', '--data-root',
                                  str(tmp_path / 'data3'), '--work-dir',
                                  str(tmp_path / 'other')],
                     cwd=str(tmp_path), expect_ok=False)
    assert other.returncode != 0
    assert '"train_per_class": 2' in other.stderr
    assert '"train_per_class": 3' in other.stderr
    assert '--teacher train trains one' in other.stderr


def test_covered_seconds_is_the_union_of_the_spans():
    at = [datetime.datetime(2026, 12, 2, 3, minute) for minute in range(60)]
    # two at once (0-10 and 5-20), a pause, a resumed run (30-40) holding a
    # shorter one (32-35), and an empty span
    spans = [(at[30], at[40]), (at[5], at[20]), (at[0], at[10]),
             (at[32], at[35]), (at[50], at[50])]
    assert bench.covered_seconds(spans) == (20 + 10) * 60
    assert bench.covered_seconds([]) == 0
    assert bench.covered_seconds([(at[1], at[2]), (at[2], at[3])]) == 120
