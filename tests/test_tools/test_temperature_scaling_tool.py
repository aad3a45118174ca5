"""tools/analysis/temperature_scaling.py end to end: fitted on the training
images the student did not train on, the calibrated export has the same
predictions and logits divided by T, and the record is summarised."""
import json
import os
import os.path as osp

import pytest
import torch

from conftest import (CONFIGS, COLOUR_TRAIN_PER_CLASS, COLOUR_TRAINED_ON,
                      REPO_ROOT, data_options, run_tool)

TOOL = osp.join(REPO_ROOT, 'tools', 'analysis', 'temperature_scaling.py')


@pytest.fixture(scope='module')
def calibrated(distilled_colour_run, tmp_path_factory):
    run = distilled_colour_run
    out = str(tmp_path_factory.mktemp('calibrated') / 'student_ts.pth')
    result = run_tool([TOOL, osp.join(CONFIGS, 'tiny_kd.py'),
                       run['checkpoint'], '--out', out, '--cfg-options'] +
                      data_options(run['root']), cwd=osp.dirname(out))
    record = json.load(open(osp.join(run['work_dir'],
                                     'temperature_scaling.json')))
    return dict(run, out=out, record=record, stdout=result.stdout)


def test_fitted_on_held_out_training_images(calibrated):
    record = calibrated['record']
    held_out = 100 * COLOUR_TRAIN_PER_CLASS - COLOUR_TRAINED_ON
    assert record['calibration']['num_samples'] == held_out
    assert record['seen_in_training'] is False
    assert record['calibration_split'].startswith(f'{held_out} training')
    assert record['test']['num_samples'] == 300
    assert record['temperature'] > 0
    # Fitted by NLL: the NLL of the fitted split cannot get worse.
    calibration = record['calibration']
    assert calibration['nll_after'] <= calibration['nll_before'] + 1e-9
    assert 'ECE (%) before → after' in calibrated['stdout']


def test_calibrated_export_divides_logits(calibrated):
    from mmpretrain import get_model
    temperature = calibrated['record']['temperature']
    checkpoint = torch.load(calibrated['out'], weights_only=True)
    assert checkpoint['meta']['temperature'] == pytest.approx(temperature)
    assert 'calibration_split' in checkpoint['meta']
    calibrated_model = get_model(osp.splitext(calibrated['out'])[0] + '.py',
                                 pretrained=calibrated['out'], device='cpu')
    source = torch.load(calibrated['checkpoint'],
                        weights_only=True)['state_dict']
    plain = get_model(osp.splitext(calibrated['out'])[0] + '.py',
                      device='cpu')
    plain.load_state_dict({k[len('student.'):]: v for k, v in source.items()
                           if k.startswith('student.')})
    inputs = torch.randn(16, 3, 32, 32)
    with torch.no_grad():
        scaled = calibrated_model(inputs, mode='tensor')
        raw = plain.eval()(inputs, mode='tensor')
    torch.testing.assert_close(scaled, raw / temperature, rtol=1e-4,
                               atol=1e-5)
    assert torch.equal(scaled.argmax(1), raw.argmax(1))


def test_summary_reports_ece_before_and_after(calibrated):
    result = run_tool([osp.join(REPO_ROOT, 'tools', 'analysis',
                                'summarize_results.py'),
                       calibrated['work_dir']], cwd=calibrated['work_dir'])
    header = next(line for line in result.stdout.splitlines()
                  if line.startswith('| dataset'))
    assert 'ECE after TS (%)' in header and '| T |' in header
    row = next(line for line in result.stdout.splitlines()
               if '| KD |' in line)
    test = calibrated['record']['test']
    assert f'{100 * test["ece_after"]:.2f}' in row
    assert f'{calibrated["record"]["temperature"]:.2f}' in row


def test_fitted_on_another_data_root(distilled_colour_run, tmp_path):
    """--calibration-root: the whole training split of another draw of the
    dataset (same classes, new images), reported as held out."""
    from conftest import write_tiny_cifar100
    run = distilled_colour_run
    held_out = write_tiny_cifar100(str(tmp_path / 'second_draw'),
                                   train_per_class=3, test_per_class=1)
    work_dir = str(tmp_path / 'ts')
    result = run_tool([TOOL, osp.join(CONFIGS, 'tiny_kd.py'),
                       run['checkpoint'], '--out',
                       str(tmp_path / 'student_ts.pth'), '--work-dir',
                       work_dir, '--calibration-root', held_out,
                       '--cfg-options'] + data_options(run['root']),
                      cwd=str(tmp_path))
    record = json.load(open(osp.join(work_dir, 'temperature_scaling.json')))
    assert record['calibration']['num_samples'] == 300
    assert record['seen_in_training'] is False
    assert record['calibration_root'] == held_out
    assert record['calibration_split'] == (
        f'300 images of {held_out} (held out: not a training root of the '
        'run)')
    assert record['test']['num_samples'] == 300
    assert 'calibration (held out)' in result.stdout
    assert 'caution' not in result.stdout


def test_calibration_root_must_not_be_the_training_root(tmp_path):
    from mmlogitkd.evaluation.temperature_scaling import held_out_dataset
    root = str(tmp_path / 'trained_on')
    os.makedirs(root)
    train = dict(type='LocalCIFAR100', data_root=root)
    with pytest.raises(ValueError, match='is the data root the run trained'):
        held_out_dataset(train, root + '/')
    with pytest.raises(FileNotFoundError, match='is not a folder'):
        held_out_dataset(train, str(tmp_path / 'missing'))
    with pytest.raises(ValueError, match='has no data_root'):
        held_out_dataset(dict(type='LocalCIFAR100'), root)
    assert held_out_dataset(train, str(tmp_path)) == dict(
        type='LocalCIFAR100', data_root=str(tmp_path))
