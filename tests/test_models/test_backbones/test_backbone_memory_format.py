"""channels_last and mixed precision: every backbone family gives the same
outputs and gradients in channels_last as in contiguous memory, keeps the
channels_last format, and runs under CPU autocast. Also the channel shuffle
shared by the ShuffleNets."""
import pytest
import torch
import torch.nn as nn

import mmlogitkd  # noqa: F401
from mmlogitkd.models.backbones import (CIFARMobileNetV2, CIFARResNet,
                                        CIFARShuffleNetV1, CIFARShuffleNetV2,
                                        CIFARVGG, MobileNetV1, WideResNet,
                                        channel_shuffle)
from mmlogitkd.registry import MODELS

# The backbones are fully convolutional: small inputs exercise every layer.
FAMILIES = {
    'cifar_resnet': (lambda: CIFARResNet(arch='resnet8x4'), 16),
    'wide_resnet': (lambda: WideResNet(arch='wrn_16_2'), 16),
    'vgg': (lambda: CIFARVGG(arch='vgg8'), 16),
    'mobilenetv2': (CIFARMobileNetV2, 16),
    'shufflenetv1': (CIFARShuffleNetV1, 16),
    'shufflenetv2': (CIFARShuffleNetV2, 16),
    # MMPretrain's ResNet_CIFAR-50
    'resnet50': (lambda: MODELS.build(
        dict(type='ResNet_CIFAR', depth=50, out_indices=(3, ))), 8),
    'mobilenet_v1': (MobileNetV1, 32),
}


def random_bn_statistics_(model, seed=0):
    generator = torch.Generator().manual_seed(seed)
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            shape = module.running_mean.shape
            module.running_mean.copy_(torch.randn(shape, generator=generator)
                                      * 0.1)
            module.running_var.copy_(torch.rand(shape, generator=generator)
                                     + 0.5)
            module.weight.data.copy_(torch.rand(shape, generator=generator)
                                     + 0.5)
    return model


@pytest.mark.parametrize('family', sorted(FAMILIES))
def test_channels_last_matches_contiguous(family):
    make, size = FAMILIES[family]
    torch.manual_seed(0)
    model = random_bn_statistics_(make())
    inputs = torch.randn(2, 3, size, size)

    model.eval()
    with torch.no_grad():
        expected = model(inputs)[-1]
        model_cl = model.to(memory_format=torch.channels_last)
        actual = model_cl(inputs.to(memory_format=torch.channels_last))[-1]
    assert actual.is_contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(actual, expected, rtol=1e-4, atol=1e-5)

    # gradients agree; compared in eval mode, because train-mode BN over
    # the few values of a small map amplifies rounding noise without bound
    first_conv = next(m for m in model.modules() if isinstance(m, nn.Conv2d))
    grads = []
    for memory_format in (torch.contiguous_format, torch.channels_last):
        model.zero_grad()
        model.to(memory_format=memory_format)
        model(inputs.to(memory_format=memory_format))[-1].square().mean() \
            .backward()
        grads.append(first_conv.weight.grad.clone())
    relative_error = (grads[1] - grads[0]).norm() / grads[0].norm()
    assert relative_error < 1e-4


@pytest.mark.parametrize('family', sorted(FAMILIES))
def test_cpu_autocast_forward(family):
    make, size = FAMILIES[family]
    torch.manual_seed(0)
    model = random_bn_statistics_(make())
    model.eval()  # MMPretrain's BaseBackbone.train() returns None
    inputs = torch.randn(2, 3, size, size)
    with torch.no_grad():
        reference = model(inputs)[-1]
        with torch.autocast('cpu', dtype=torch.bfloat16):
            mixed = model(inputs.to(memory_format=torch.channels_last))[-1]
    assert mixed.dtype == torch.bfloat16
    assert torch.isfinite(mixed).all()
    similarity = torch.cosine_similarity(mixed.float().flatten(),
                                         reference.flatten(), dim=0)
    assert similarity > 0.99


def test_channel_shuffle_hand_derived():
    x = torch.arange(6.).reshape(1, 6, 1, 1).expand(1, 6, 2, 2)
    # groups [0 1 2][3 4 5] -> interleaved
    assert channel_shuffle(x, 2)[0, :, 0, 0].tolist() == [0, 3, 1, 4, 2, 5]
    # groups [0 1][2 3][4 5] -> interleaved
    assert channel_shuffle(x, 3)[0, :, 1, 1].tolist() == [0, 2, 4, 1, 3, 5]
    assert channel_shuffle(x, 1) is x
    with pytest.raises(ValueError, match='groups=4'):
        channel_shuffle(x, 4)


def test_channel_shuffle_channels_last_and_gradient():
    x = torch.randn(2, 12, 3, 5, dtype=torch.float64)
    x_cl = x.to(memory_format=torch.channels_last)
    out, out_cl = channel_shuffle(x, 3), channel_shuffle(x_cl, 3)
    assert torch.equal(out, out_cl)
    assert out.is_contiguous()
    assert out_cl.is_contiguous(memory_format=torch.channels_last)
    for tensor in (x, x_cl):
        tensor = tensor.detach().requires_grad_(True)
        assert torch.autograd.gradcheck(lambda t: channel_shuffle(t, 4),
                                        (tensor, ))
