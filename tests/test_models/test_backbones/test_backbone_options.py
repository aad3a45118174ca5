"""Backbone arguments: stage outputs (``out_indices``), argument errors, and
the reference initialisation (docs/model_zoo.md#state-dict-naming) through
``init_weights``."""
import math
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import DefaultScope

import mmlogitkd  # noqa: F401
from mmlogitkd.models.backbones import (CIFARMobileNetV2, CIFARResNet,
                                        CIFARShuffleNetV1, CIFARShuffleNetV2,
                                        CIFARVGG, MobileNetV1, WideResNet)
from mmlogitkd.models.backbones.stage_outputs import forward_stages
from mmlogitkd.registry import MODELS

REPO_ROOT = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def shapes(backbone, size=32):
    backbone.eval()
    with torch.no_grad():
        outs = backbone(torch.randn(1, 3, size, size))
    return [tuple(out.shape[1:3]) for out in outs]  # (channels, height)


@pytest.mark.parametrize('backbone,expected', [
    (CIFARResNet('resnet8x4', out_indices=(0, 1, 2)),
     [(64, 32), (128, 16), (256, 8)]),
    (WideResNet('wrn_16_1', out_indices=(0, 1, 2)),
     [(16, 32), (32, 16), (64, 8)]),
    (CIFARVGG('vgg8', out_indices=(0, 1, 2, 3, 4)),
     [(64, 32), (128, 16), (256, 8), (512, 4), (512, 4)]),
    (CIFARMobileNetV2(out_indices=range(8)),
     [(8, 16), (12, 16), (16, 8), (32, 4), (48, 4), (80, 2), (160, 2),
      (1280, 2)]),
    (CIFARShuffleNetV1(out_indices=(0, 1, 2)),
     [(240, 16), (480, 8), (960, 4)]),
    (CIFARShuffleNetV2(out_indices=(0, 1, 2, 3)),
     [(116, 16), (232, 8), (464, 4), (1024, 4)]),
])
def test_every_stage_can_be_returned(backbone, expected):
    assert shapes(backbone) == expected
    assert [c for c, _ in expected] == list(
        backbone.out_channels[i] for i in backbone.out_indices)


def test_out_indices_negative_and_sorted():
    torch.manual_seed(0)
    backbone = CIFARResNet('resnet8', out_indices=(-1, 0))
    assert backbone.out_indices == (0, 2)
    assert shapes(backbone) == [(16, 32), (64, 8)]
    # MobileNetV1 indexes the 14 layers of ``model``
    assert shapes(MobileNetV1(out_indices=(0, -1)), size=64) == [(32, 32),
                                                                 (1024, 2)]


class AddConstant(nn.Module):

    def __init__(self, value: float):
        super().__init__()
        self.value = value

    def forward(self, x):
        return x + self.value


def test_forward_stages_keeps_selected_outputs_in_order():
    # stages add 1, 10, 100: stage i's output identifies how far x went
    stages = [AddConstant(1.), AddConstant(10.), AddConstant(100.)]
    last, outs = forward_stages(torch.zeros(1), stages, (0, 2))
    assert last.item() == 111.
    assert [out.item() for out in outs] == [1., 111.]
    last, outs = forward_stages(torch.zeros(1), stages, (1, ))
    assert last.item() == 111.
    assert [out.item() for out in outs] == [11.]


def test_wrn_last_stage_includes_final_bn_relu():
    backbone = WideResNet('wrn_16_1', out_indices=(2, ))
    backbone.eval()
    with torch.no_grad():
        out = backbone(torch.randn(2, 3, 32, 32))[0]
    assert out.min() >= 0  # after the final ReLU


def test_vgg_pools_after_block3_only_for_64px_inputs():
    # the reference serves 64x64 TinyImageNet with the same network
    backbone = CIFARVGG('vgg8', out_indices=(3, 4))
    assert shapes(backbone, size=64) == [(512, 8), (512, 4)]
    assert shapes(backbone, size=48) == [(512, 6), (512, 6)]


@pytest.mark.parametrize('make,match', [
    (lambda: CIFARResNet('resnet9'), 'unknown arch "resnet9"'),
    (lambda: WideResNet('wrn_28_10'), 'unknown arch "wrn_28_10"'),
    (lambda: CIFARVGG('vgg8_bn'), 'unknown arch "vgg8_bn"'),
    (lambda: CIFARResNet('resnet8', out_indices=(3, )),
     'out_indices entry 3 is out of range for 3 stages'),
    (lambda: CIFARMobileNetV2(out_indices=()), 'out_indices must not be'),
    (lambda: WideResNet('wrn_16_1', drop_rate=1.0), 'drop_rate'),
])
def test_bad_arguments_fail_early_and_clearly(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_wrn_dropout_only_in_training():
    torch.manual_seed(0)
    backbone = WideResNet('wrn_16_1', drop_rate=0.5)
    inputs = torch.randn(2, 3, 32, 32)
    backbone.eval()
    with torch.no_grad():
        assert torch.equal(backbone(inputs)[0], backbone(inputs)[0])
        backbone.train()
        assert not torch.equal(backbone(inputs)[0], backbone(inputs)[0])


def build_initialised(name):
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', '_base_', 'models', 'cifar100',
                 f'{name}.py'))
    with DefaultScope.overwrite_default_scope('mmlogitkd'):
        model = MODELS.build(cfg.model)
    model.init_weights()
    return model


def test_reference_init_of_the_crd_families():
    torch.manual_seed(0)
    # conv N(0, sqrt(2 / (k * k * out))), BN gamma 1 beta 0
    # (docs/model_zoo.md#state-dict-naming)
    vgg = build_initialised('vgg8')
    conv = vgg.backbone.block3[0]  # 3x3, 256 -> 512
    assert conv.weight.std().item() == pytest.approx(
        math.sqrt(2 / (9 * 512)), rel=0.01)
    assert conv.weight.mean().abs() < 1e-3
    assert torch.all(conv.bias == 0)
    bns = [m for m in vgg.modules() if isinstance(m, nn.BatchNorm2d)]
    assert all(torch.all(m.weight == 1) and torch.all(m.bias == 0)
               for m in bns)
    # VGG and MobileNetV2 classifiers: N(0, 0.01), bias 0
    assert vgg.head.fc.weight.std().item() == pytest.approx(0.01, rel=0.05)
    assert torch.all(vgg.head.fc.bias == 0)

    resnet = build_initialised('resnet32x4')
    conv = resnet.backbone.layer3[1].conv1  # 3x3, 256 -> 256
    assert conv.weight.std().item() == pytest.approx(
        math.sqrt(2 / (9 * 256)), rel=0.01)
    # CIFAR ResNet classifier: PyTorch's default, bias U(+-1/sqrt(256))
    assert resnet.head.fc.bias.abs().max() <= 1 / 16
    assert resnet.head.fc.bias.abs().max() > 0

    # WRN classifier: default weight (U(+-1/sqrt(fan_in))), bias 0
    wrn = build_initialised('wrn_16_2')
    weight = wrn.head.fc.weight
    assert weight.abs().max() <= 1 / math.sqrt(128)
    assert weight.abs().max() > 0.9 / math.sqrt(128)
    assert torch.all(wrn.head.fc.bias == 0)


def test_shufflenets_keep_pytorch_default_init():
    torch.manual_seed(0)
    model = build_initialised('shufflenetv2')
    conv = model.backbone.conv2  # 1x1, 464 -> 1024, default U(+-1/sqrt(464))
    assert conv.weight.abs().max() <= 1 / math.sqrt(464)
    assert conv.weight.abs().max() > 0.9 / math.sqrt(464)
