"""The exported config's preprocessor and test data for image files, by
hand: CIFAR arrays are RGB (to_rgb flips), files stay as trained."""
import pytest
from mmengine.config import Config

from mmlogitkd.checkpoint import CheckpointError
from mmlogitkd.checkpoint.export import (exported_config,
                                         file_inference_parts,
                                         student_model_config)

PRE = dict(type='MultiViewClsDataPreprocessor', num_classes=100,
           mean=[1.0, 2.0, 3.0], std=[4.0, 5.0, 6.0], to_rgb=False,
           train_views=[[dict(type='BatchRandomFlip', prob=0.5)]])


def config(dataset_type, pipeline, preprocessor=PRE, model=None):
    return Config(dict(
        model=model or dict(
            type='LogitDistiller',
            student=dict(cfg_path='mmlogitkd::_base_/models/cifar100/'
                         'resnet8.py', pretrained=False),
            teacher=dict(cfg_path='mmlogitkd::_base_/models/cifar100/'
                         'resnet20.py')),
        data_preprocessor=preprocessor,
        test_dataloader=dict(batch_size=8, dataset=dict(
            type=dataset_type, data_root='data/cifar100/',
            pipeline=pipeline), sampler=dict(type='DefaultSampler'))))


def test_rgb_arrays_become_bgr_files():
    preprocessor, loader, from_arrays = file_inference_parts(
        config('LocalCIFAR100', [dict(type='PackInputs')]))
    assert from_arrays
    # MMPretrain's class, the arguments it knows; to_rgb flipped
    assert preprocessor == dict(type='ClsDataPreprocessor', num_classes=100,
                                mean=[1.0, 2.0, 3.0], std=[4.0, 5.0, 6.0],
                                to_rgb=True)
    dataset = loader['dataset']
    assert dataset['type'] == 'CustomDataset'
    assert dataset['data_root'] == 'data/cifar100_images'
    assert dataset['ann_file'] == 'meta/test.txt'
    assert [t['type'] for t in dataset['pipeline']] == [
        'LoadImageFromFile', 'PackInputs']


def test_files_keep_their_preprocessor():
    pipeline = [dict(type='LoadImageFromFile'),
                dict(type='CenterCrop', crop_size=224),
                dict(type='PackInputs')]
    preprocessor, loader, from_arrays = file_inference_parts(
        config('ImageNet', pipeline, dict(PRE, to_rgb=True)))
    assert not from_arrays and preprocessor['to_rgb'] is True
    assert loader['dataset']['type'] == 'ImageNet'
    assert loader['dataset']['pipeline'] == pipeline


def test_unknown_arrays_need_their_order():
    cfg = config('MyArrays', [dict(type='PackInputs')])
    with pytest.raises(CheckpointError, match='MyArrays.*--array-order'):
        file_inference_parts(cfg)
    assert file_inference_parts(cfg, 'bgr')[0]['to_rgb'] is False
    assert file_inference_parts(cfg, 'rgb')[0]['to_rgb'] is True


def test_student_of_logit_distiller_and_mmrazor():
    cfg = config('LocalCIFAR100', [dict(type='PackInputs')])
    student = student_model_config(cfg)
    assert student['backbone']['arch'] == 'resnet8'
    assert 'pretrained' not in student and 'cfg_path' not in student
    razor = config('LocalCIFAR100', [dict(type='PackInputs')], model=dict(
        type='SingleTeacherDistill', architecture=dict(
            cfg_path='mmlogitkd::_base_/models/cifar100/resnet8x4.py'),
        teacher=dict(cfg_path='mmlogitkd::_base_/models/cifar100/'
                     'resnet32x4.py')))
    assert student_model_config(razor)['backbone']['arch'] == 'resnet8x4'
    exported, _ = exported_config(razor, test_images='/images')
    assert exported.default_scope == 'mmpretrain'
    assert exported.model.data_preprocessor.to_rgb is True
    assert exported.test_dataloader.dataset.data_root == '/images'
    assert 'teacher' not in exported.model
