"""Round trips through tools/model_converters: a randomly initialised model
laid out with the original key names (``crd_reference_models``, torchvision)
is saved in the formats of the original code bases
(docs/model_zoo.md#checkpoint-files-of-the-original-code-bases),
converted, strictly loaded into our config's model, and must give the same
logits. Also: failures name the offending keys, untrusted pickles are
refused, and the output loads with ``weights_only=True``."""
import argparse
import hashlib
import importlib.util
import os.path as osp

import pytest
import torch
import torchvision
from crd_reference_models import (RefCIFARResNet, RefCIFARResNet50,
                                  RefMobileHalf, RefMobileNetV1,
                                  RefShuffleV1, RefShuffleV2, RefVGG, RefWRN,
                                  randomize_)
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmlogitkd.checkpoint import (CheckpointError, CheckpointMismatchError,
                                  UntrustedCheckpointError,
                                  strip_wrapper_prefixes)
from mmlogitkd.registry import MODELS
from mmlogitkd.models.backbones.key_mappings import KeyMapping

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def load_tool(name):
    path = osp.join(REPO_ROOT, 'tools', 'model_converters', f'{name}.py')
    spec = importlib.util.spec_from_file_location(f'tool_{name}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CIFAR_TOOL = load_tool('repdistiller2mmpretrain')
IMAGENET_TOOL = load_tool('torchvision2mmpretrain')


def build_our_model(dataset, arch):
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', '_base_', 'models', dataset,
                 f'{arch}.py'))
    with DefaultScope.overwrite_default_scope('mmlogitkd'):
        return MODELS.build(cfg.model)


def sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def in_original_format(state_dict, layout):
    """Wrap a state dict as the original code bases saved it."""
    state_dict = dict(state_dict)
    if layout == 'repdistiller':  # train_teacher.py ckpt_epoch_240.pth
        return {'epoch': 240, 'model': state_dict, 'accuracy': 72.34,
                'optimizer': {'state': {}, 'param_groups': [
                    {'lr': 5e-5, 'momentum': 0.9, 'params': [0, 1]}]}}
    if layout == 'bare':
        return state_dict
    if layout == 'dataparallel':
        return {'model': {f'module.{k}': v for k, v in state_dict.items()}}
    if layout == 'old_pytorch':  # no BN num_batches_tracked
        return {'model': {k: v for k, v in state_dict.items()
                          if not k.endswith('num_batches_tracked')}}
    if layout == 'mdistiller_distiller':  # module.student./module.teacher.
        wrapped = {f'module.student.{k}': v for k, v in state_dict.items()}
        wrapped['module.teacher.fc.weight'] = torch.zeros(3, 3)
        return {'epoch': 240, 'model': wrapped, 'best_acc': 70.0}
    if layout == 'mdistiller_student':  # student_best
        return {'model': state_dict}
    raise ValueError(layout)


# (tool, dataset, arch, reference builder, saved layout, input size)
ROUND_TRIPS = [
    (CIFAR_TOOL, 'cifar100', 'resnet8',
     lambda: RefCIFARResNet(8, [16, 16, 32, 64]), 'repdistiller', 32),
    (CIFAR_TOOL, 'cifar100', 'resnet8x4',
     lambda: RefCIFARResNet(8, [32, 64, 128, 256]), 'bare', 32),
    # ResNet50 pools adaptively, so a 16x16 input exercises every layer.
    (CIFAR_TOOL, 'cifar100', 'resnet50', RefCIFARResNet50, 'dataparallel',
     16),
    (CIFAR_TOOL, 'cifar100', 'wrn_16_1', lambda: RefWRN(16, 1),
     'old_pytorch', 32),
    (CIFAR_TOOL, 'cifar100', 'wrn_16_2', lambda: RefWRN(16, 2),
     'repdistiller', 32),
    (CIFAR_TOOL, 'cifar100', 'vgg8', lambda: RefVGG('S'),
     'mdistiller_distiller', 32),
    (CIFAR_TOOL, 'cifar100', 'vgg13', lambda: RefVGG('B'), 'repdistiller',
     32),
    (CIFAR_TOOL, 'cifar100', 'mobilenetv2', RefMobileHalf,
     'mdistiller_student', 32),
    (CIFAR_TOOL, 'cifar100', 'shufflenetv1', RefShuffleV1, 'repdistiller',
     32),
    (CIFAR_TOOL, 'cifar100', 'shufflenetv2', RefShuffleV2, 'bare', 32),
    # torchvision ResNets pool adaptively: a small input keeps this cheap.
    (IMAGENET_TOOL, 'imagenet', 'resnet18', torchvision.models.resnet18,
     'bare', 32),
    (IMAGENET_TOOL, 'imagenet', 'resnet50', torchvision.models.resnet50,
     'old_pytorch', 32),
    (IMAGENET_TOOL, 'imagenet', 'mobilenet_v1', RefMobileNetV1,
     'mdistiller_student', 224),
]


@pytest.mark.parametrize(
    'tool,dataset,arch,make_reference,layout,size', ROUND_TRIPS,
    ids=[f'{case[2]}-{case[4]}' for case in ROUND_TRIPS])
def test_round_trip_reproduces_logits(tmp_path, capsys, tool, dataset, arch,
                                      make_reference, layout, size):
    reference = randomize_(make_reference(), seed=len(arch)).eval()
    src, dst = str(tmp_path / 'original.pth'), str(tmp_path / 'ours.pth')
    torch.save(in_original_format(reference.state_dict(), layout), src)

    tool.main([src, dst, '--arch', arch])

    converted = torch.load(dst, map_location='cpu', weights_only=True)
    assert set(converted) == {'state_dict', 'meta'}
    assert all(isinstance(v, str) for v in converted['meta'].values())
    assert all(isinstance(v, torch.Tensor)
               for v in converted['state_dict'].values())
    assert converted['meta']['source_sha256'] == sha256(src)
    assert converted['meta']['arch'] == arch
    printed = capsys.readouterr().out
    assert f'sha256 {sha256(dst)}' in printed

    ours = build_our_model(dataset, arch)
    ours.load_state_dict(converted['state_dict'], strict=True)
    ours.eval()
    inputs = torch.randn(1, 3, size, size,
                         generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = reference(inputs)
        actual = ours(inputs, mode='tensor')
    assert actual.shape == expected.shape
    assert expected.std() > 1e-2  # a degenerate output would prove nothing
    assert (actual - expected).abs().max() < 1e-6


def test_converter_maps_keys_as_documented():
    # docs/model_zoo.md#state-dict-naming/14.4: the classifier becomes
    # head.fc; CIFAR ResNet50's
    # shortcut becomes MMPretrain's downsample.
    mapping = KeyMapping('linear', renames=(('.shortcut.', '.downsample.'), ))
    assert mapping.map_key('linear.weight') == 'head.fc.weight'
    assert mapping.map_key('layer1.0.shortcut.1.running_var') == \
        'backbone.layer1.0.downsample.1.running_var'
    assert KeyMapping('classifier.0').map_key('classifier.0.bias') == \
        'head.fc.bias'
    assert KeyMapping('fc').map_key('fcx.weight') == 'backbone.fcx.weight'


def test_distiller_checkpoint_keeps_only_the_student():
    state = {'module.student.fc.weight': torch.ones(1),
             'module.teacher.fc.weight': torch.zeros(1)}
    kept, ignored = strip_wrapper_prefixes(state)
    assert list(kept) == ['fc.weight'] and kept['fc.weight'].item() == 1
    assert ignored == ['module.teacher.fc.weight']


@pytest.fixture(scope='module')
def resnet8_state():
    return randomize_(RefCIFARResNet(8, [16, 16, 32, 64]), 1).state_dict()


def test_wrong_arch_lists_missing_keys(tmp_path, resnet8_state):
    src = str(tmp_path / 'r8.pth')
    torch.save({'model': resnet8_state}, src)
    with pytest.raises(CheckpointMismatchError) as error:
        CIFAR_TOOL.main([src, str(tmp_path / 'out.pth'), '--arch',
                         'resnet14'])
    message = str(error.value)
    assert 'missing keys (' in message
    assert 'backbone.layer1.1.conv1.weight' in message
    assert 'backbone.layer3.1.bn2.running_var' in message
    assert 'backbone.layer1.1.conv1.weight' in error.value.missing
    assert not osp.exists(tmp_path / 'out.pth')


def test_shape_mismatch_is_reported_with_both_shapes(tmp_path, resnet8_state):
    src = str(tmp_path / 'r8.pth')
    torch.save(resnet8_state, src)
    with pytest.raises(CheckpointMismatchError) as error:
        CIFAR_TOOL.main([src, str(tmp_path / 'out.pth'), '--arch',
                         'resnet8x4'])
    message = str(error.value)
    assert 'backbone.conv1.weight: checkpoint (16, 3, 3, 3) vs model ' \
        '(32, 3, 3, 3)' in message
    assert 'head.fc.weight: checkpoint (100, 64) vs model (100, 256)' \
        in message
    # resnet8x4 also projects in layer1.0 (32 -> 64), resnet8 does not
    assert 'backbone.layer1.0.downsample.0.weight' in error.value.missing


def test_unexpected_keys_are_named(tmp_path, resnet8_state):
    state = dict(resnet8_state)
    state['layer1.0.extra.weight'] = torch.zeros(2)
    src = str(tmp_path / 'r8.pth')
    torch.save(state, src)
    with pytest.raises(CheckpointMismatchError) as error:
        CIFAR_TOOL.main([src, str(tmp_path / 'out.pth'), '--arch',
                         'resnet8'])
    assert error.value.unexpected == ['backbone.layer1.0.extra.weight']
    assert 'backbone.layer1.0.extra.weight' in str(error.value)
    assert error.value.missing == [] and error.value.shape_mismatches == []


def test_pickled_objects_need_trust_source(tmp_path, resnet8_state):
    # RepDistiller's <model>_last.pth pickles its argparse options.
    src = str(tmp_path / 'resnet8_last.pth')
    torch.save({'opt': argparse.Namespace(model='resnet8'),
                'model': resnet8_state}, src)
    dst = str(tmp_path / 'out.pth')
    with pytest.raises(UntrustedCheckpointError) as error:
        CIFAR_TOOL.main([src, dst, '--arch', 'resnet8'])
    assert '--trust-source' in str(error.value)
    assert 'arbitrary code' in str(error.value)
    assert not osp.exists(dst)

    with pytest.warns(UserWarning, match='full unpickling'):
        CIFAR_TOOL.main([src, dst, '--arch', 'resnet8', '--trust-source'])
    converted = torch.load(dst, weights_only=True)
    assert torch.equal(converted['state_dict']['backbone.conv1.weight'],
                       resnet8_state['conv1.weight'])


def test_non_tensor_entries_are_named(tmp_path, resnet8_state):
    state = dict(resnet8_state)
    state['note'] = 'not a tensor'
    src = str(tmp_path / 'bad.pth')
    torch.save({'model': state}, src)
    with pytest.raises(CheckpointError, match='non-tensor entries: note'):
        CIFAR_TOOL.main([src, str(tmp_path / 'out.pth'), '--arch',
                         'resnet8'])


def test_missing_source_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nowhere.pth'):
        CIFAR_TOOL.main([str(tmp_path / 'nowhere.pth'),
                         str(tmp_path / 'out.pth'), '--arch', 'resnet8'])


def test_unknown_arch_is_rejected_by_the_cli(tmp_path, capsys):
    with pytest.raises(SystemExit):
        IMAGENET_TOOL.main(['a.pth', 'b.pth', '--arch', 'resnet8'])
    assert "invalid choice: 'resnet8'" in capsys.readouterr().err
