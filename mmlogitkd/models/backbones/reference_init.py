"""Weight initialisation of the CRD CIFAR-100 model zoo, as MMEngine
``init_cfg``.

RepDistiller (Tian et al., ICLR 2020, github.com/HobbitLong/RepDistiller)
initialises the convolutions of its CIFAR ResNet, WRN, VGG and MobileNetV2
with ``N(0, sqrt(2 / (k_h * k_w * out_channels)))`` (ResNet through
``kaiming_normal_(mode='fan_out', nonlinearity='relu')``, the others by hand;
both are the same distribution), zero conv biases, and BatchNorm with
gamma = 1, beta = 0 (docs/model_zoo.md#state-dict-naming). ShuffleNetV1/V2
and MobileNetV1 keep
PyTorch's defaults (``init_cfg=None``).
"""

#: Kaiming-normal (fan_out, ReLU gain) convolutions with zero bias, and
#: BatchNorm gamma = 1, beta = 0.
CRD_CONV_BN_INIT = [
    dict(type='Kaiming', layer='Conv2d', mode='fan_out',
         nonlinearity='relu', distribution='normal', bias=0.),
    dict(type='Constant', layer='_BatchNorm', val=1., bias=0.),
]
