"""Published runs: what publish_run keeps and drops, what
install_published_run checks (hash, data, destination), and the shipped
teacher of the demo (its record, its data, its weights)."""
import json
import os
import os.path as osp
import shutil

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmlogitkd.checkpoint import CheckpointError, file_sha256
from mmlogitkd.checkpoint.published import (RECORD_FILE,
                                            install_published_run,
                                            last_checkpoint, publish_run,
                                            read_published_run)
from mmlogitkd.evaluation.reporting import read_run

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SHIPPED = osp.join(REPO, 'checkpoints', 'embedded_cifar100', 'resnet20_120e')
GENERATOR = {'format': 'cifar-100-python',
             'settings': {'fine_jitter': 0.2, 'generator_version': 3,
                          'seed': 0, 'test_per_class': 1,
                          'train_per_class': 2}}


def make_run(root, epochs=2):
    """A finished run folder as tools/train.py leaves it (config, one
    session's scalars, a runner checkpoint with optimizer state)."""
    data = osp.join(root, 'data')
    os.makedirs(data)
    with open(osp.join(data, 'generator.json'), 'w') as f:
        json.dump(GENERATOR, f)
    run = osp.join(root, 'run')
    os.makedirs(osp.join(run, '20260101_000000', 'vis_data'))
    loader = dict(batch_size=2, dataset=dict(type='X', data_root=data))
    Config(dict(model=dict(type='ImageClassifier'), work_dir=run,
                train_cfg=dict(by_epoch=True, max_epochs=epochs),
                randomness=dict(seed=0), train_dataloader=loader,
                val_dataloader=loader, test_dataloader=loader)).dump(
                    osp.join(run, 'teacher.py'))
    with open(osp.join(run, '20260101_000000', 'vis_data', 'scalars.json'),
              'w') as f:
        for epoch in range(1, epochs + 1):
            f.write(json.dumps(dict(lr=0.1, loss=1.0 / epoch, epoch=epoch,
                                    iter=epoch, step=epoch)) + '\n')
            f.write(json.dumps({'accuracy/top1': 10.0 * epoch,
                                'data_time': 0.1, 'time': 0.2,
                                'step': epoch}) + '\n')
    weights = {'w': torch.arange(4.0)}
    torch.save(dict(state_dict=weights, meta=dict(epoch=epochs, iter=epochs),
                    optimizer=dict(state={0: torch.ones(4)})),
               osp.join(run, f'epoch_{epochs}.pth'))
    with open(osp.join(run, 'last_checkpoint'), 'w') as f:
        f.write(osp.join(run, f'epoch_{epochs}.pth'))
    return run, data


def test_publish_keeps_weights_scalars_and_a_portable_config(tmp_path):
    run, data = make_run(str(tmp_path))
    out = str(tmp_path / 'published')
    record = publish_run(run, out, data_root='data/portable')
    checkpoint = torch.load(osp.join(out, 'epoch_2.pth'), weights_only=True)
    assert set(checkpoint) == {'state_dict', 'meta'}  # no optimizer state
    assert torch.equal(checkpoint['state_dict']['w'], torch.arange(4.0))
    assert checkpoint['meta'] == dict(epoch=2, iter=2)
    assert record == read_published_run(out)
    assert record['sha256'] == file_sha256(osp.join(out, 'epoch_2.pth'))
    assert record['data_generator'] == GENERATOR  # of the data trained on
    assert record['epochs'] == 2 and record['seed'] == 0
    assert record['last_validation'] == {'accuracy/top1': 20.0}
    cfg = Config.fromfile(osp.join(out, 'teacher.py'))
    assert 'work_dir' not in cfg
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert cfg[loader].dataset.data_root == 'data/portable'
    assert data not in open(osp.join(out, 'teacher.py')).read()
    # the reporting tools read it as the finished run it came from
    result = read_run(out)
    assert result.finished and result.top1_last == 20.0


def test_publish_refuses_to_replace_without_force(tmp_path):
    run, _ = make_run(str(tmp_path))
    out = str(tmp_path / 'published')
    publish_run(run, out)
    with pytest.raises(CheckpointError, match='already exists'):
        publish_run(run, out)
    publish_run(run, out, overwrite=True)


def test_install_checks_data_and_hash_and_reuses_its_copy(tmp_path):
    run, _ = make_run(str(tmp_path))
    out = str(tmp_path / 'published')
    record = publish_run(run, out)
    dest = str(tmp_path / 'work' / 'teacher')
    assert install_published_run(out, dest, GENERATOR) == record
    assert file_sha256(osp.join(dest, 'epoch_2.pth')) == record['sha256']
    assert install_published_run(out, dest, GENERATOR) == record  # reused

    other = json.loads(json.dumps(GENERATOR))
    other['settings']['train_per_class'] = 40
    with pytest.raises(CheckpointError) as error:
        install_published_run(out, str(tmp_path / 'other'), other)
    assert '"train_per_class": 2' in str(error.value)
    assert '"train_per_class": 40' in str(error.value)
    assert not osp.exists(tmp_path / 'other')

    with open(osp.join(out, 'epoch_2.pth'), 'ab') as f:
        f.write(b'x')
    with pytest.raises(CheckpointError, match='SHA-256'):
        install_published_run(out, str(tmp_path / 'third'), GENERATOR)


def test_install_refuses_a_folder_with_other_work(tmp_path):
    run, _ = make_run(str(tmp_path))
    out = str(tmp_path / 'published')
    publish_run(run, out)
    with pytest.raises(CheckpointError, match='already holds other work'):
        install_published_run(out, run)  # a run folder, not this copy
    with pytest.raises(CheckpointError, match='not a published run'):
        read_published_run(run)


def test_shipped_teacher_matches_its_record_and_the_bench_data():
    """The demo's teacher: the hash in its record, trained on the data the
    bench preset generates (a new generator version or preset needs a new
    teacher: tools/model_converters/publish_run.py), and it loads strictly
    into the bench teacher's model."""
    from mmlogitkd.checkpoint import load_teacher_checkpoint
    from mmlogitkd.datasets.generators.embedded_cifar100 import \
        EmbeddedCIFAR100Settings
    from mmlogitkd.models.builder import build_classifier
    record = read_published_run(SHIPPED)
    assert file_sha256(osp.join(SHIPPED, record['checkpoint'])) == \
        record['sha256']
    settings = EmbeddedCIFAR100Settings(train_per_class=50,
                                        test_per_class=100, seed=0,
                                        fine_jitter=0.2).to_dict()
    assert record['data_generator']['settings'] == settings
    assert record['data_root'] == 'data/embedded_cifar100_bench'
    cfg = Config.fromfile(osp.join(SHIPPED, record['config']))
    with DefaultScope.overwrite_default_scope('mmlogitkd'):
        model = build_classifier(cfg.model)
    load_teacher_checkpoint(model, osp.join(SHIPPED, record['checkpoint']),
                            sha256=record['sha256'])
    assert RECORD_FILE in os.listdir(SHIPPED)


def test_last_checkpoint_of_a_run_a_copy_and_a_broken_record(tmp_path):
    run, _ = make_run(str(tmp_path))
    assert last_checkpoint(run) == osp.join(run, 'epoch_2.pth')  # absolute
    copy = str(tmp_path / 'copy')
    shutil.copytree(run, copy)  # the record still names the original path
    os.remove(osp.join(run, 'epoch_2.pth'))
    assert last_checkpoint(copy) == osp.join(copy, 'epoch_2.pth')
    with pytest.raises(CheckpointError, match='which does not exist'):
        last_checkpoint(run)
    with pytest.raises(CheckpointError, match='no last_checkpoint file'):
        last_checkpoint(str(tmp_path / 'data'))
