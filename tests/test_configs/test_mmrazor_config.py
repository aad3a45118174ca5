"""configs/mmrazor/: KD through MMRazor's own machinery (SingleTeacherDistill
+ ConfigurableDistiller with mmlogitkd's KDLoss, SingleTeacherDistillValLoop)
trained by tools/train.py on tiny data, with a teacher checkpoint."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from conftest import REPO_ROOT, TRAIN, data_options, run_tool, scalars

CONFIG = osp.join(REPO_ROOT, 'configs', 'mmrazor',
                  'kd_logits_resnet32x4_resnet8x4_240e_cifar100.py')


@pytest.fixture(scope='module')
def teacher_file(tmp_path_factory):
    """A resnet32x4 checkpoint (random weights, tensors only)."""
    from mmlogitkd.models.builder import build_classifier
    init_default_scope('mmlogitkd')
    torch.manual_seed(3)
    teacher = build_classifier(dict(
        cfg_path='mmlogitkd::_base_/models/cifar100/resnet32x4.py'))
    teacher.init_weights()
    path = str(tmp_path_factory.mktemp('teacher') / 'resnet32x4.pth')
    torch.save({'state_dict': teacher.state_dict()}, path)
    return path


def test_config_is_mmrazor_machinery():
    cfg = Config.fromfile(CONFIG)
    assert cfg.model.type == 'SingleTeacherDistill'
    assert cfg.model._scope_ == 'mmrazor'
    assert cfg.model.distiller.distill_losses.loss_kd.type == 'KDLoss'
    assert cfg.val_cfg.type == 'mmrazor.SingleTeacherDistillValLoop'
    assert cfg.model.architecture == dict(
        cfg_path='mmlogitkd::_base_/models/cifar100/resnet8x4.py',
        pretrained=False)


def test_trains_and_validates_student_and_teacher(tiny_cifar_root,
                                                  teacher_file, tmp_path):
    work_dir = str(tmp_path / 'work')
    run_tool([TRAIN, CONFIG, '--work-dir', work_dir, '--cfg-options',
              f'model.teacher_ckpt={teacher_file}', 'train_cfg.max_epochs=1',
              'train_dataloader.batch_size=50',
              'default_hooks.logger.interval=1'] +
             [f'{loader}.num_workers=0' for loader in (
                 'train_dataloader', 'val_dataloader', 'test_dataloader')] +
             data_options(tiny_cifar_root), cwd=str(tmp_path))
    lines = scalars(work_dir)
    train = [line for line in lines if 'distill.loss_kd' in line]
    assert len(train) == 4  # 200 images, batch 50
    for line in train:
        assert line['loss'] == pytest.approx(
            line['student.loss'] + line['distill.loss_kd'], rel=1e-5)
    val = [line for line in lines if 'accuracy/top1' in line]
    assert len(val) == 1
    assert 'teacher.accuracy/top1' in val[0]
    # The teacher is the file's, unchanged by training.
    saved = torch.load(teacher_file, weights_only=True)['state_dict']
    final = torch.load(osp.join(work_dir, 'epoch_1.pth'),
                       weights_only=True)['state_dict']
    for key, value in saved.items():
        assert torch.equal(final['teacher.' + key], value), key
