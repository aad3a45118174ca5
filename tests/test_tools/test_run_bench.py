"""tools/analysis/run_bench.py (`make bench`) and configs/bench/.

The schedule rules and the per-method table are checked against numbers
worked out by hand; the reuse logic on folders made here; and ``--quick``
runs the whole bench end to end (teacher, student alone, KD and CRLD, the
timing tools, plots, report) on tiny data, then again to check that every
finished piece of work is reused.
"""
import importlib.util
import json
import os.path as osp

import pytest

from conftest import REPO_ROOT, run_tool

import mmlogitkd  # noqa: F401
from mmengine.config import Config

from mmlogitkd.evaluation.reporting import (GroupSummary, RunResult,
                                     describe_method)

PNG_MAGIC = b'\x89PNG\r\n\x1a\n'


def load_run_bench():
    path = osp.join(REPO_ROOT, 'tools', 'analysis', 'run_bench.py')
    spec = importlib.util.spec_from_file_location('analysis_run_bench', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = load_run_bench()


# --------------------------------------------------------------------------
# Schedule rules
# --------------------------------------------------------------------------
@pytest.mark.parametrize('epochs,milestone', [(1, 1), (2, 2), (4, 3), (8, 6),
                                              (15, 11), (240, 180)])
def test_lr_milestone_is_three_quarters_rounded(epochs, milestone):
    assert bench.lr_milestone(epochs) == milestone


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


# --------------------------------------------------------------------------
# configs/bench
# --------------------------------------------------------------------------
#: What each bench method must distil with (describe_method of its model).
EXPECTED_LOSSES = {
    name: name for name in ('KD', 'DKD', 'KD+LS', 'DKD+LS', 'MLKD', 'CRLD',
                            'CRLD+LS', 'CKD', 'AEKT')
}
TWO_VIEW = {'MLKD', 'CRLD', 'CRLD+LS'}


def load_bench_config(name):
    return Config.fromfile(osp.join(REPO_ROOT, 'configs', 'bench', name))


def test_every_issue_method_is_benched():
    assert set(bench.METHOD_NAMES) == set(EXPECTED_LOSSES)


@pytest.mark.parametrize('run', bench.METHODS, ids=lambda r: r.name)
def test_method_configs(run):
    cfg = load_bench_config(run.config)
    model = cfg.model
    assert describe_method(model) == EXPECTED_LOSSES[run.name]
    assert model.type == 'LogitDistiller'
    assert model.student.cfg_path.endswith('/resnet8.py')
    assert model.teacher.cfg_path.endswith('/resnet20.py')
    from mmlogitkd.utils.config_checks import training_views
    assert (training_views(cfg)[0] == 2) == (run.name in TWO_VIEW)
    # the defaults follow the rules run_bench.py applies to --epochs
    epochs = cfg.train_cfg.max_epochs
    assert cfg.param_scheduler.milestones == [bench.lr_milestone(epochs)]
    assert cfg.default_hooks.checkpoint.interval == epochs
    warmups = {name: loss['warmup_epochs']
               for name, loss in model.distill_losses.items()
               if 'warmup_epochs' in loss}
    expected = {run.warmup_loss: bench.warmup_epochs(epochs)} \
        if run.warmup_loss else {}
    assert warmups == expected
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert cfg[loader].dataset.data_root == 'data/embedded_cifar100_bench'


@pytest.mark.parametrize('run', [bench.TEACHER, bench.STUDENT_ALONE],
                         ids=lambda r: r.slug)
def test_classifier_configs(run):
    cfg = load_bench_config(run.config)
    assert cfg.model.type == 'ImageClassifier'
    arch = 'resnet20' if run is bench.TEACHER else 'resnet8'
    assert cfg.model.backbone.arch == arch
    epochs = cfg.train_cfg.max_epochs
    assert cfg.param_scheduler.milestones == [bench.lr_milestone(epochs)]
    assert cfg.default_hooks.checkpoint.interval == epochs
    data_root = cfg.test_dataloader.dataset.data_root
    assert data_root == 'data/embedded_cifar100_bench'


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


# --------------------------------------------------------------------------
# The per-method table
# --------------------------------------------------------------------------
def fake_run(top1, seed, wall_time, epochs=10):
    return RunResult(
        work_dir=f'w{seed}', config_file='c.py', config_name='c',
        fingerprint='f', method='m', pair='p', dataset='d', seed=seed,
        batch_size=64, world_size=1, schedule=f'{epochs} ep',
        max_epochs=epochs, last_epoch=epochs, top1_last=top1,
        top1_best=top1 + 1.0, best_epoch=epochs - 1, ece_last=0.05,
        teacher_top1=None, teacher_sha256=None, teacher_checkpoint=None,
        wall_time=wall_time)


def test_method_table_by_hand():
    alone = GroupSummary([fake_run(50.0, 0, 100.0), fake_run(52.0, 1, 100.0)])
    kd = GroupSummary([fake_run(53.0, 0, 200.0), fake_run(55.0, 1, 200.0)])
    table = bench.method_table([('student alone', alone), ('KD', kd)],
                               'student alone',
                               {'student alone': 0.1, 'KD': 0.17})
    rows = {line.split('|')[1].strip(): [c.strip() for c in
                                         line.split('|')[2:-1]]
            for line in table.splitlines()[2:]}
    # epochs, seeds, top-1 last, vs alone, top-1 best, ECE, s/iter, cost
    assert rows['student alone'] == ['10', '0, 1', '51.00 ± 1.41', '+0.00',
                                     '52.00 ± 1.41', '5.00 ± 0.00', '0.100',
                                     '1.00']
    assert rows['KD'] == ['10', '0, 1', '54.00 ± 1.41', '+3.00',
                          '55.00 ± 1.41', '5.00 ± 0.00', '0.170', '1.70']


def write_scalars(work_dir, times):
    """A work dir whose training log has these iteration times."""
    session = work_dir / '20260101_000000' / 'vis_data'
    session.mkdir(parents=True)
    with open(session / 'scalars.json', 'w') as f:
        for step, seconds in enumerate(times, 1):
            f.write(json.dumps(dict(lr=0.05, loss=1.0, time=seconds,
                                    epoch=1, iter=step, step=step)) + '\n')
    return str(work_dir)


def test_iteration_seconds_is_the_median_over_runs(tmp_path):
    # one run slowed down 10x for a while by another process: the median of
    # all logged intervals stays at the usual 0.1 s (the mean would be 0.4)
    runs = [write_scalars(tmp_path / 'a', [0.1, 1.0, 1.0]),
            write_scalars(tmp_path / 'b', [0.1, 0.1, 0.12]),
            write_scalars(tmp_path / 'c', [0.09, 0.1, 0.11])]
    assert bench.iteration_seconds(runs) == pytest.approx(0.1)
    assert bench.iteration_seconds(runs[2:]) == pytest.approx(0.1)


def test_markdown_tables_keeps_tables_and_settings():
    text = ('done KD 64x100 cpu\n\ntorch 2.x, 2 threads; median\n'
            '| a | b |\n|---|---|\n| 1 | 2 |\n')
    assert bench.markdown_tables(text) == (
        'torch 2.x, 2 threads; median\n\n| a | b |\n|---|---|\n| 1 | 2 |')


# --------------------------------------------------------------------------
# End to end
# --------------------------------------------------------------------------
def test_quick_bench_end_to_end_and_reuse(tmp_path):
    work_dir = tmp_path / 'bench'
    args = [osp.join(REPO_ROOT, 'tools', 'analysis', 'run_bench.py'),
            '--quick', '--methods', 'KD', 'CRLD', '--work-dir',
            str(work_dir)]
    first = run_tool(args, cwd=str(tmp_path))
    report = (work_dir / 'report.md').read_text()

    section = report.split('## Accuracy and calibration per method')[1]
    table = section.split('\n\n')[1]
    labels = [line.split('|')[1].strip()
              for line in table.splitlines()[2:]]
    assert labels == ['student alone', 'KD', 'CRLD']
    assert '| seeds |' in table and '| 1 | 0 |' in table  # 1 epoch, seed 0
    assert bench.cpu_model() in report
    assert 'torch' in report and '## Loss timings' in report
    assert '| KD | 64 x 100 | cpu |' in report  # benchmark_losses.py table
    assert '| resnet20:resnet8 | CRLD |' in report  # benchmark_step.py
    for png in ('curves.png', 'reliability_best_vs_alone.png'):
        with open(work_dir / png, 'rb') as f:
            assert f.read(8) == PNG_MAGIC
        assert f'({png})' in report
    assert (work_dir / 'results.csv').exists()
    # tiny data, really: 2 training and 1 test image per class
    with open(work_dir / 'data' / 'generator.json') as f:
        settings = json.load(f)['settings']
    assert (settings['train_per_class'], settings['test_per_class']) == (2, 1)
    for run in ('alone_seed0', 'kd_seed0', 'crld_seed0'):
        assert (work_dir / 'runs' / run / 'last_checkpoint').exists()
    assert 'finished before, reusing' not in first.stdout

    second = run_tool(args, cwd=str(tmp_path))
    # teacher, student alone, KD, CRLD
    assert second.stdout.count('finished before, reusing') == 4
    assert second.stdout.count('done before, reusing') == 2  # timings
    assert 'train.py' not in second.stdout
