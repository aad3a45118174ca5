"""Reading MMEngine work directories: sessions, resumes, logs, names."""
import json
import os
import os.path as osp

import pytest

from mmlogitkd.evaluation.reporting import (Stat, config_fingerprint,
                                     describe_backbone, describe_dataset,
                                     describe_method, find_config,
                                     load_history, read_scalars)


def write_session(work_dir, name, lines, log=''):
    folder = osp.join(work_dir, name)
    os.makedirs(osp.join(folder, 'vis_data'))
    with open(osp.join(folder, 'vis_data', 'scalars.json'), 'w') as f:
        f.write('\n'.join(json.dumps(line) for line in lines) + '\n')
    with open(osp.join(folder, f'{name}.log'), 'w') as f:
        f.write(log)


def train_line(step, loss, epoch):
    return dict(loss=loss, lr=0.1, epoch=epoch, iter=step, step=step)


def test_resumed_sessions_are_merged_later_wins(tmp_path):
    work_dir = str(tmp_path)
    # The first session reached epoch 2 (its epoch-2 val was never
    # checkpointed); the resume restarts from epoch 1 and redoes epoch 2.
    write_session(work_dir, '20250101_100000', [
        {'teacher/accuracy/top1': 80.0, 'step': 0},
        train_line(5, 3.0, 1), {'accuracy/top1': 10.0, 'step': 1},
        train_line(10, 2.5, 2), {'accuracy/top1': 20.0, 'step': 2},
    ], log='2025/01/01 10:00:00 - mmengine - INFO - Epoch(train) '
           '[1][5/5]  loss: 3.0\n'
           '2025/01/01 10:10:00 - mmengine - INFO - done\n')
    write_session(work_dir, '20250101_110000', [
        train_line(10, 2.4, 2), {'accuracy/top1': 22.0, 'step': 2},
        train_line(15, 2.0, 3), {'accuracy/top1': 30.0, 'step': 3},
    ], log='2025/01/01 11:00:00 - mmengine - INFO - Epoch(train) '
           '[2][5/5]  loss: 2.4\n'
           '2025/01/01 11:05:30 - mmengine - INFO - done\n')
    # a test-only session (tools/test.py) is not part of the history
    write_session(work_dir, '20250101_120000', [
        {'accuracy/top1': 99.0, 'step': 0}],
        log='2025/01/01 12:00:00 - mmengine - INFO - Epoch(test) [1/1]\n')
    history = load_history(work_dir)
    assert [r['step'] for r in history.train] == [5, 10, 15]
    assert history.train[1]['loss'] == 2.4
    assert history.val == {1: {'accuracy/top1': 10.0},
                           2: {'accuracy/top1': 22.0},
                           3: {'accuracy/top1': 30.0}}
    assert history.teacher == {'teacher/accuracy/top1': 80.0}
    assert history.iters_per_epoch == 5
    assert [s.wall_time for s in history.sessions] == [600.0, 330.0]


def test_truncated_last_line_is_skipped_other_errors_are_not(tmp_path):
    path = str(tmp_path / 'scalars.json')
    with open(path, 'w') as f:
        f.write('{"loss": 1.0, "step": 1}\n{"loss": 0.')
    with pytest.warns(UserWarning, match='truncated'):
        assert read_scalars(path) == [{'loss': 1.0, 'step': 1}]
    with open(path, 'w') as f:
        f.write('{"loss": 1.0, "step": 1\n{"loss": 0.5, "step": 2}\n')
    with pytest.raises(ValueError, match='scalars.json:1'):
        read_scalars(path)


def test_missing_runs_and_configs_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='no MMEngine session'):
        load_history(str(tmp_path))
    with pytest.raises(FileNotFoundError, match='dumped config'):
        find_config(str(tmp_path))


def test_find_config_skips_exported_student_configs(tmp_path):
    """temperature_scaling.py and distill2student.py write <name>.py next
    to <name>.pth into the run folder; the run's config is still the one
    MMEngine dumped (a newer export used to be taken for it)."""
    run_config = tmp_path / 'kd.py'
    run_config.write_text('model = dict()\n')
    export = tmp_path / 'epoch_1_calibrated.py'
    export.write_text('model = dict()\n')
    (tmp_path / 'epoch_1_calibrated.pth').write_bytes(b'')
    os.utime(run_config, (1, 1))  # the export is the newer file
    assert find_config(str(tmp_path)) == str(run_config)
    (tmp_path / 'kd_v2.py').write_text('model = dict()\n')
    assert find_config(str(tmp_path)) == str(tmp_path / 'kd_v2.py')


def test_names_of_methods_pairs_and_datasets():
    assert describe_method({'type': 'ImageClassifier'}) == 'baseline'
    # declared methods (mmlogitkd.methods) by name
    assert describe_method({'distill_losses': {
        'loss_dkd': {'type': 'DKDLoss', 'standardize': True}}}) == 'DKD+LS'
    assert describe_method({'distill_losses': {
        'loss_kd': {'type': 'KDLoss'}}}) == 'KD'
    # MMRazor's SingleTeacherDistill names its losses in its distiller
    assert describe_method({'type': 'SingleTeacherDistill', 'distiller': {
        'distill_losses': {'loss_kd': {'type': 'KDLoss'}}}}) == 'KD'
    # anything else by its loss types
    assert describe_method({'distill_losses': {
        'loss_x': {'type': 'DKDLoss', 'standardize': True}}}) == \
        'DKDLoss+LS'
    assert describe_method({'distill_losses': {
        'loss_kd': {'type': 'KDLoss'}, 'loss_ckd': {'type': 'CKDLoss'}}}) \
        == 'KDLoss, CKDLoss'
    assert describe_backbone({'backbone': {
        'type': 'ResNet_CIFAR', 'depth': 18}}) == 'ResNet_CIFAR-18'
    assert describe_backbone({'backbone': {
        'type': 'CIFARResNet', 'arch': 'resnet8x4'}}) == 'resnet8x4'
    assert describe_backbone({'cfg_path': 'mmpretrain::resnet/'
                              'resnet34_8xb32_in1k.py'}) == \
        'resnet34_8xb32_in1k'
    assert describe_dataset({'dataset': {
        'type': 'RepeatDataset', 'times': 2, 'dataset': {
            'type': 'LocalCIFAR100', 'data_root': 'data/embedded/'}}}) == \
        'LocalCIFAR100:embedded'


def test_fingerprint_ignores_seed_and_paths_but_not_hyperparameters():
    base = dict(model=dict(distill_losses=dict(loss_kd=dict(
        type='KDLoss', temperature=4.0)), teacher_ckpt='/a/t.pth'),
        randomness=dict(seed=0), work_dir='/runs/a')
    same = dict(model=dict(distill_losses=dict(loss_kd=dict(
        type='KDLoss', temperature=4.0)), teacher_ckpt='/b/t.pth'),
        randomness=dict(seed=1), work_dir='/runs/b')
    other = dict(model=dict(distill_losses=dict(loss_kd=dict(
        type='KDLoss', temperature=2.0)), teacher_ckpt='/a/t.pth'),
        randomness=dict(seed=0), work_dir='/runs/a')
    assert config_fingerprint(base) == config_fingerprint(same)
    assert config_fingerprint(base) != config_fingerprint(other)


def test_stat_uses_the_sample_standard_deviation():
    stat = Stat([70.0, 72.0, 77.0])
    # mean 73; deviations -3, -1, 4 -> sum of squares 26, / (3 - 1) = 13
    assert stat.mean == pytest.approx(73.0)
    assert stat.std == pytest.approx(13 ** 0.5)
    assert stat.format() == '73.00 ± 3.61'
    assert Stat([0.05]).format(scale=100) == '5.00'
    assert Stat([]).format() == '–'
