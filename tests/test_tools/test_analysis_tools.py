"""tools/analysis: reliability diagram, training curves, results summary.

The diagram tool runs a tiny MMPretrain classifier (and a tiny
``LogitDistiller``) over the tiny CIFAR-format dataset; the curve and summary
tools read work directories fabricated here (config, scalars.json, log,
teacher_eval.json), so every expected number is known by hand.
"""
import csv
import importlib.util
import json
import math
import os
import os.path as osp

import pytest
import torch

from conftest import REPO_ROOT

import mmlogitkd  # noqa: F401
from mmlogitkd.evaluation import expected_calibration_error

PNG_MAGIC = b'\x89PNG\r\n\x1a\n'


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny convolutions on a shared 2-core machine: two OpenMP threads
    were measured 50-100x slower than one under load."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def load_tool(name):
    path = osp.join(REPO_ROOT, 'tools', 'analysis', f'{name}.py')
    spec = importlib.util.spec_from_file_location(f'analysis_{name}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_png(path):
    assert osp.isfile(path), path
    with open(path, 'rb') as f:
        assert f.read(8) == PNG_MAGIC
    import matplotlib.image as mpimg
    height, width = mpimg.imread(path).shape[:2]
    assert height > 200 and width > 200


# --------------------------------------------------------------------------
# reliability_diagram.py
# --------------------------------------------------------------------------
CLASSIFIER = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=4,
                  base_channels=4),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=100, in_channels=32,
              loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))
PREPROCESSOR = dict(num_classes=100, mean=[129.3, 124.1, 112.4],
                    std=[68.2, 65.4, 70.4], to_rgb=False)


def write_config(path, model, data_root, scope='mmpretrain', extra=''):
    dataset = dict(type='LocalCIFAR100', data_root=data_root, split='test',
                   pipeline=[dict(type='PackInputs')])
    with open(path, 'w') as f:
        f.write(f'default_scope = "{scope}"\n'
                f'model = {model!r}\n'
                f'test_dataloader = dict(batch_size=32, num_workers=0, '
                f'sampler=dict(type="DefaultSampler", shuffle=False), '
                f'dataset={dataset!r})\n' + extra)
    return str(path)


def build(config_path):
    from mmengine.config import Config
    from mmengine.registry import MODELS, init_default_scope
    cfg = Config.fromfile(config_path)
    init_default_scope(cfg.default_scope)
    return cfg, MODELS.build(cfg.model).eval()


@pytest.fixture(scope='module')
def classifier_run(tiny_cifar_root, tmp_path_factory):
    folder = tmp_path_factory.mktemp('classifier')
    # The normalisation is a top-level data_preprocessor, as in our dataset
    # bases; mmengine's Runner merges it into the model.
    config = write_config(
        folder / 'tiny_cls.py', CLASSIFIER, tiny_cifar_root,
        extra=f'data_preprocessor = {PREPROCESSOR!r}\n'
        'test_evaluator = [dict(type="CalibrationMetric", num_bins=15)]\n'
        'test_cfg = dict()\n')
    torch.manual_seed(0)
    _, network = build(config)
    checkpoint = str(folder / 'epoch_1.pth')
    torch.save({'state_dict': network.state_dict()}, checkpoint)
    return config, checkpoint


@pytest.fixture(scope='module')
def distiller_run(tiny_cifar_root, tmp_path_factory):
    folder = tmp_path_factory.mktemp('distiller')
    model = dict(type='LogitDistiller', student=CLASSIFIER,
                 teacher=CLASSIFIER, teacher_ckpt=None,
                 data_preprocessor=dict(
                     PREPROCESSOR, type='MultiViewClsDataPreprocessor'))
    config = write_config(folder / 'tiny_distill.py', model,
                          tiny_cifar_root, scope='mmlogitkd')
    torch.manual_seed(1)
    _, network = build(config)
    # Make the teacher confident, so its diagram differs from the student's.
    with torch.no_grad():
        network.teacher.head.fc.weight.mul_(50)
    checkpoint = str(folder / 'epoch_1.pth')
    torch.save({'state_dict': network.state_dict()}, checkpoint)
    return config, checkpoint


def predict_path_ece(config, checkpoint, member):
    """ECE from MMPretrain's own predict path (pred_score of the data
    samples), independent of the tool's code."""
    from mmengine.runner import Runner
    cfg, model = build(config)
    model.load_state_dict(torch.load(checkpoint)['state_dict'])
    scores, labels = [], []
    with torch.no_grad():
        for batch in Runner.build_dataloader(cfg.test_dataloader):
            data = model.data_preprocessor(batch, False)
            network = getattr(model, member)
            inputs = data['inputs']
            inputs = inputs[0] if isinstance(inputs, list) else inputs
            for sample in network(inputs, data['data_samples'],
                                  mode='predict'):
                scores.append(sample.pred_score)
                labels.append(sample.gt_label)
    return expected_calibration_error(torch.stack(scores), torch.cat(labels),
                                      15), len(labels)


def test_diagram_of_a_plain_classifier(classifier_run, tmp_path, capsys):
    tool = load_tool('reliability_diagram')
    config, checkpoint = classifier_run
    out = str(tmp_path / 'plots' / 'student.png')
    written, bins = tool.main([config, checkpoint, '--out', out])
    assert written == out
    assert_png(out)
    assert list(bins) == ['student'] and bins['student'].num_samples == 100
    printed = capsys.readouterr().out
    assert f'student: ECE {100 * bins["student"].ece:.2f}%' in printed
    # The same number as mmengine's Runner testing with CalibrationMetric.
    from mmengine.config import Config
    from mmengine.runner import Runner
    cfg = Config.fromfile(config)
    cfg.work_dir = str(tmp_path / 'runner')
    cfg.load_from = checkpoint
    metrics = Runner.from_cfg(cfg).test()
    assert bins['student'].ece == pytest.approx(
        metrics['calibration/ece'], abs=1e-6)


def test_diagram_of_student_and_teacher(distiller_run, capsys):
    tool = load_tool('reliability_diagram')
    config, checkpoint = distiller_run
    out, bins = tool.main([config, checkpoint, '--model', 'both'])
    assert out == osp.join(osp.dirname(checkpoint), 'reliability_both.png')
    assert_png(out)
    printed = capsys.readouterr().out
    assert 'student: ECE' in printed and 'teacher: ECE' in printed
    # The tool's numbers equal those of MMPretrain's own predict path.
    for name in ('student', 'teacher'):
        expected, count = predict_path_ece(config, checkpoint, name)
        assert bins[name].num_samples == count == 100
        assert bins[name].ece == pytest.approx(expected, abs=1e-6)
    # the confident teacher really is binned differently from the student
    assert not torch.equal(bins['student'].count, bins['teacher'].count)


def test_diagram_errors_are_explicit(classifier_run, distiller_run,
                                     tmp_path):
    tool = load_tool('reliability_diagram')
    config, checkpoint = classifier_run
    with pytest.raises(ValueError, match='distillation config'):
        tool.main([config, checkpoint, '--model', 'teacher'])
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        tool.main([config, str(tmp_path / 'missing.pth')])
    # a plain classifier checkpoint has no student.* weights
    distill_config, _ = distiller_run
    with pytest.raises(KeyError, match='student'):
        tool.main([distill_config, checkpoint])


# --------------------------------------------------------------------------
# Fabricated work directories
# --------------------------------------------------------------------------
# MMEngine's banner line ends in "INFO - " and the banner follows.
LOG_BANNER = '{stamp} - mmengine - INFO - ' + """
------------------------------------------------------------
Runtime environment:
    seed: {seed}
    Distributed launcher: pytorch
    Distributed training: True
    GPU number: 2
------------------------------------------------------------

"""


def fabricate_run(root, name, seed, top1, ece, loss, end_time,
                  temperature=4.0, teacher_top1=77.5, start_time='10:00:00',
                  session='20250101_100000', max_epochs=3):
    """A work dir of a 3-epoch KD run: 2 train lines per epoch (4 iters per
    epoch, logged every 2), one val line per epoch, teacher at step 0."""
    work_dir = osp.join(root, name)
    session_dir = osp.join(work_dir, session)
    os.makedirs(osp.join(session_dir, 'vis_data'))
    with open(osp.join(work_dir, 'kd_r20_r8.py'), 'w') as f:
        f.write(
            "model = dict(type='LogitDistiller',\n"
            "    student=dict(cfg_path='mmlogitkd::_base_/models/cifar100/"
            "resnet8.py'),\n"
            "    teacher=dict(type='ImageClassifier', backbone=dict("
            "type='CIFARResNet', arch='resnet20')),\n"
            "    teacher_ckpt='/somewhere/teacher.pth', ce_weight=0.1,\n"
            "    distill_losses=dict(loss_kd=dict(type='KDLoss', "
            f"temperature={temperature}, loss_weight=0.9, "
            "standardize=True)))\n"
            "train_dataloader = dict(batch_size=64, dataset=dict("
            f"type='LocalCIFAR100', data_root='/data/{name}/cifar100'))\n"
            f"train_cfg = dict(by_epoch=True, max_epochs={max_epochs})\n"
            f"randomness = dict(seed={seed}, deterministic=False)\n"
            f"work_dir = '{work_dir}'\n")
    lines = [{'teacher/accuracy/top1': teacher_top1, 'step': 0}]
    for epoch in range(1, len(top1) + 1):
        for inner in (2, 4):
            step = (epoch - 1) * 4 + inner
            lines.append({'lr': 0.05, 'loss': loss[epoch - 1],
                          'loss_ce': 0.1, 'loss_kd': loss[epoch - 1] - 0.1,
                          'time': 0.1, 'epoch': epoch, 'iter': step,
                          'step': step})
        lines.append({'accuracy/top1': top1[epoch - 1],
                      'accuracy/top5': 90.0,
                      'calibration/ece': ece[epoch - 1], 'step': epoch})
    with open(osp.join(session_dir, 'vis_data', 'scalars.json'), 'w') as f:
        f.write('\n'.join(json.dumps(line) for line in lines) + '\n')
    with open(osp.join(session_dir, f'{session}.log'), 'w') as f:
        f.write(LOG_BANNER.format(stamp=f'2025/01/01 {start_time}',
                                  seed=seed))
        f.write(f'2025/01/01 {start_time} - mmengine - INFO - Epoch(train)'
                '  [1][2/4]  lr: 5.0000e-02  loss: 1.0\n')
        f.write(f'2025/01/01 {end_time} - mmengine - INFO - Epoch(val) '
                '[3][2/2]  accuracy/top1: 1.0\n')
    with open(osp.join(work_dir, 'teacher_eval.json'), 'w') as f:
        json.dump({'accuracy/top1': teacher_top1, 'calibration/ece': 0.1,
                   'checkpoint': '/somewhere/teacher.pth',
                   'sha256': 'ab' * 32}, f)
    return work_dir


@pytest.fixture
def two_seeds(tmp_path):
    root = str(tmp_path / 'runs')
    first = fabricate_run(root, 'kd_seed0', seed=0, top1=[68.0, 71.0, 70.0],
                          ece=[0.2, 0.1, 0.05], loss=[3.0, 2.0, 1.5],
                          end_time='11:00:00')
    second = fabricate_run(root, 'kd_seed1', seed=1,
                           top1=[69.0, 72.5, 72.0], ece=[0.2, 0.1, 0.07],
                           loss=[3.2, 2.1, 1.4], end_time='11:30:00')
    return root, first, second


# --------------------------------------------------------------------------
# summarize_results.py
# --------------------------------------------------------------------------
def test_summary_aggregates_two_seeds(two_seeds, tmp_path):
    tool = load_tool('summarize_results')
    root, first, second = two_seeds
    out_dir = str(tmp_path / 'report')
    markdown = tool.main([first, second, '--out-dir', out_dir])
    rows = [line for line in markdown.splitlines()
            if line.startswith('| LocalCIFAR100')]
    assert len(rows) == 1
    cells = [c.strip() for c in rows[0].strip('|').split('|')]
    # last epoch: 70.0 and 72.0 -> mean 71, sample std sqrt(2) = 1.41
    # best epoch: 71.0 and 72.5 -> mean 71.75, std 1.5 / sqrt(2) = 1.06
    # ECE last: 5% and 7% -> 6.00 ± 1.41
    # wall time: 1 h and 1.5 h -> mean 1:15:00
    assert cells == [
        'LocalCIFAR100:cifar100', 'resnet20 → resnet8', 'KD+LS',
        'kd_r20_r8', '3 ep', '64 × 2', '0, 1', '71.00 ± 1.41',
        '71.75 ± 1.06', '6.00 ± 1.41', '–', '–', '77.50', 'abababababab',
        '1:15:00'
    ]
    assert open(osp.join(out_dir, 'results.md')).read() == markdown
    with open(osp.join(out_dir, 'results.csv')) as f:
        (row, ) = list(csv.DictReader(f))
    assert float(row['top1_last_mean']) == pytest.approx(71.0)
    assert float(row['top1_last_std']) == pytest.approx(math.sqrt(2),
                                                        rel=1e-5)
    assert float(row['top1_best_mean']) == pytest.approx(71.75)
    assert float(row['top1_best_std']) == pytest.approx(1.5 / math.sqrt(2),
                                                        rel=1e-5)
    assert row['best_epochs'] == '2 2'
    assert float(row['ece_last_pct_mean']) == pytest.approx(6.0)
    assert float(row['wall_time_s_mean']) == pytest.approx(4500)
    assert row['gpus'] == '2' and row['batch_size_per_gpu'] == '64'
    assert row['seeds'] == '0 1' and row['num_runs'] == '2'
    assert row['teacher_sha256'] == 'ab' * 32
    # the parent folder finds both runs too
    assert tool.main([root]) == markdown.replace(
        f'{first} {second}', f'{first} {second}')


def test_summary_separates_other_settings_and_unfinished_runs(
        two_seeds, capsys):
    tool = load_tool('summarize_results')
    root, first, second = two_seeds
    other_temperature = fabricate_run(
        root, 'kd_t2', seed=0, top1=[60.0, 61.0, 62.0], ece=[0.1] * 3,
        loss=[1.0] * 3, end_time='10:30:00', temperature=2.0)
    unfinished = fabricate_run(
        root, 'kd_cut', seed=2, top1=[50.0, 55.0], ece=[0.1] * 2,
        loss=[1.0] * 2, end_time='10:30:00')
    markdown = tool.main([root])
    rows = [line for line in markdown.splitlines()
            if line.startswith('| LocalCIFAR100')]
    assert len(rows) == 2  # T=4 (two seeds) and T=2; the cut run is left out
    assert any('| 62.00 |' in row for row in rows)
    assert any('| 71.00 ± 1.41 |' in row for row in rows)
    # both rows show the same config name, so the config id tells them apart
    assert all('kd_r20_r8 (' in row for row in rows)
    assert f'`{unfinished}`: epoch 2 of 3' in markdown
    with_cut = tool.main([first, second, unfinished, '--include-unfinished'])
    assert '| 0, 1, 2 |' in with_cut
    assert other_temperature not in with_cut


def test_summary_averages_repeats_of_a_seed(two_seeds):
    """Three runs of seed 0 are one seed, not three (issue 15 showed
    `0, 0, 0 ... ± 0.00`): averaged per seed, ± over distinct seeds."""
    tool = load_tool('summarize_results')
    root, first, second = two_seeds
    repeats = [first] + [fabricate_run(
        root, f'kd_seed0_again{i}', seed=0, top1=[60.0, 61.0, top1],
        ece=[0.1, 0.1, 0.09], loss=[1.0] * 3, end_time='11:00:00')
        for i, top1 in enumerate((73.0, 76.0))]
    markdown = tool.main(repeats)
    (row, ) = [line for line in markdown.splitlines()
               if line.startswith('| LocalCIFAR100')]
    cells = [c.strip() for c in row.strip('|').split('|')]
    # seed 0: 70, 73, 76 -> one value, 73.00, and no ± (one seed)
    assert cells[6] == '0 (×3)' and cells[7] == '73.00'
    assert 'Seeds repeat' in markdown
    # with seed 1 (72.0): seeds 0 -> 73, 1 -> 72: 72.50 ± 0.71
    markdown = tool.main(repeats + [second])
    (row, ) = [line for line in markdown.splitlines()
               if line.startswith('| LocalCIFAR100')]
    cells = [c.strip() for c in row.strip('|').split('|')]
    assert cells[6] == '0 (×3), 1' and cells[7] == '72.50 ± 0.71'
    assert 'Seeds repeat' not in tool.main([first, second])


def test_summary_lists_test_only_folders_apart(two_seeds):
    """A tools/test.py work dir (a session without training) is not an
    unfinished run."""
    tool = load_tool('summarize_results')
    root, first, second = two_seeds
    test_dir = osp.join(root, 'kd_test')
    session = osp.join(test_dir, '20250102_100000')
    os.makedirs(osp.join(session, 'vis_data'))
    import shutil
    shutil.copy(osp.join(first, 'kd_r20_r8.py'), test_dir)
    with open(osp.join(session, 'vis_data', 'scalars.json'), 'w') as f:
        f.write(json.dumps({'accuracy/top1': 70.0, 'step': 0}) + '\n')
    with open(osp.join(session, '20250102_100000.log'), 'w') as f:
        f.write('2025/01/02 10:00:00 - mmengine - INFO - Epoch(test) '
                '[2/2]  accuracy/top1: 70.0\n')
    markdown = tool.main([root])
    assert 'unfinished' not in markdown
    assert f'- `{test_dir}`' in markdown.split('Not training runs')[1]


def test_summary_shows_temperature_scaling(two_seeds):
    tool = load_tool('summarize_results')
    _, first, second = two_seeds
    for work_dir, temperature, after in ((first, 1.5, 0.02),
                                         (second, 2.5, 0.04)):
        with open(osp.join(work_dir, 'temperature_scaling.json'), 'w') as f:
            json.dump({'temperature': temperature,
                       'test': {'ece_before': 0.06, 'ece_after': after}}, f)
    (row, ) = [line for line in tool.main([first, second]).splitlines()
               if line.startswith('| LocalCIFAR100')]
    cells = [c.strip() for c in row.strip('|').split('|')]
    # ECE after: 2 % and 4 % -> 3.00 ± 1.41; T 1.5 and 2.5 -> 2.00 ± 0.71
    assert cells[9:12] == ['6.00 ± 1.41', '3.00 ± 1.41', '2.00 ± 0.71']


# --------------------------------------------------------------------------
# plot_curves.py
# --------------------------------------------------------------------------
def test_curves_png_from_scalars(two_seeds, tmp_path):
    tool = load_tool('plot_curves')
    _, first, second = two_seeds
    out = str(tmp_path / 'curves.png')
    assert tool.main([first, second, '--out', out]) == out
    assert_png(out)
    # a single run, default output next to it, chosen keys
    out = tool.main([first, '--keys', 'loss_kd', 'calibration/ece'])
    assert out == osp.join(first, 'curves.png')
    assert_png(out)


def test_curve_points_and_default_keys(two_seeds):
    from mmlogitkd.evaluation.reporting import (default_curve_keys, load_history,
                                         training_curves)
    _, first, _ = two_seeds
    history = load_history(first)
    assert history.iters_per_epoch == 4  # from "Epoch(train) [1][2/4]"
    keys = default_curve_keys([history])
    assert keys == ['loss', 'loss_ce', 'loss_kd', 'lr', 'accuracy/top1']
    curves, x_labels = training_curves(history, keys)
    # iteration 2, 4, 6, ... at 4 iterations per epoch -> epochs .5, 1, ...
    assert [x for x, _ in curves['loss']] == [0.5, 1, 1.5, 2, 2.5, 3]
    assert [y for _, y in curves['loss']] == [3.0, 3.0, 2.0, 2.0, 1.5, 1.5]
    assert curves['accuracy/top1'] == [(1, 68.0), (2, 71.0), (3, 70.0)]
    assert x_labels['loss'] == x_labels['accuracy/top1'] == 'epoch'


def test_curves_unknown_keys_fail_clearly(two_seeds, tmp_path):
    tool = load_tool('plot_curves')
    _, first, _ = two_seeds
    with pytest.raises(ValueError, match='none of the keys'):
        tool.main([first, '--keys', 'no_such_key', '--out',
                   str(tmp_path / 'x.png')])
    empty = tmp_path / 'empty'
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match='no MMEngine run'):
        tool.main([str(empty), '--out', str(tmp_path / 'x.png')])
