"""Reference models with the original state-dict key names, for the
converter round-trip tests.

Written for the tests from the layer-by-layer descriptions in
docs/model_zoo.md#state-dict-naming
(the CRD model zoo of RepDistiller ``models/*.py`` and mdistiller's ImageNet
MobileNetV1). They deliberately share no code with
``mmlogitkd.models.backbones``: each is a plain ``nn.Module`` whose
``forward`` returns logits, laid out so that ``state_dict()`` has the
original keys (``fc``/``linear``/``classifier`` classifiers, ``shortcut``,
``convShortcut``, ``block{s}.layer.{j}``, ``model.{i}`` ...). ImageNet
ResNets use torchvision itself.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def shuffle_channels(x: torch.Tensor, groups: int) -> torch.Tensor:
    """Channel shuffle by explicit index: output channel ``i * groups + g``
    is input channel ``g * (C // groups) + i``."""
    channels = x.shape[1]
    order = torch.arange(channels).reshape(groups, channels // groups)
    return x[:, order.t().reshape(-1)]


def conv(cin, cout, k, stride=1, groups=1, bias=False):
    return nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=bias)


# ---------------------------------------------------------------- resnet.py
class ResNetBasicBlock(nn.Module):

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = conv(cin, cout, 3, stride)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = conv(cout, cout, 3)
        self.bn2 = nn.BatchNorm2d(cout)
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(
                conv(cin, cout, 1, stride), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        if hasattr(self, 'downsample'):
            x = self.downsample(x)
        return F.relu(y + x)


class RefCIFARResNet(nn.Module):
    """resnet8 ... resnet110 (widths 16/16/32/64), resnet8x4/32x4."""

    def __init__(self, depth, widths, num_classes=100):
        super().__init__()
        n = (depth - 2) // 6
        self.conv1 = conv(3, widths[0], 3)
        self.bn1 = nn.BatchNorm2d(widths[0])
        cin = widths[0]
        for s, (w, stride) in enumerate(zip(widths[1:], (1, 2, 2))):
            blocks = []
            for j in range(n):
                blocks.append(ResNetBasicBlock(cin, w, stride if j == 0
                                               else 1))
                cin = w
            setattr(self, f'layer{s + 1}', nn.Sequential(*blocks))
        self.fc = nn.Linear(widths[3], num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(F.avg_pool2d(x, 8).flatten(1))


# -------------------------------------------------------------- resnetv2.py
class Bottleneck(nn.Module):

    def __init__(self, cin, planes, stride):
        super().__init__()
        cout = planes * 4
        self.conv1 = conv(cin, planes, 1)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv(planes, planes, 3, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = conv(planes, cout, 1)
        self.bn3 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(
                conv(cin, cout, 1, stride), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + self.shortcut(x))


class RefCIFARResNet50(nn.Module):

    def __init__(self, num_classes=100):
        super().__init__()
        self.conv1 = conv(3, 64, 3)
        self.bn1 = nn.BatchNorm2d(64)
        cin = 64
        for s, (planes, n, stride) in enumerate(
                zip((64, 128, 256, 512), (3, 4, 6, 3), (1, 2, 2, 2))):
            blocks = []
            for j in range(n):
                blocks.append(Bottleneck(cin, planes, stride if j == 0
                                         else 1))
                cin = planes * 4
            setattr(self, f'layer{s + 1}', nn.Sequential(*blocks))
        self.linear = nn.Linear(2048, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        for s in range(1, 5):
            x = getattr(self, f'layer{s}')(x)
        return self.linear(F.adaptive_avg_pool2d(x, 1).flatten(1))


# ------------------------------------------------------------------- wrn.py
class WRNBlock(nn.Module):

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = conv(cin, cout, 3, stride)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = conv(cout, cout, 3)
        if cin != cout:
            self.convShortcut = conv(cin, cout, 1, stride)

    def forward(self, x):
        a = F.relu(self.bn1(x))
        y = self.conv2(F.relu(self.bn2(self.conv1(a))))
        if hasattr(self, 'convShortcut'):
            return self.convShortcut(a) + y
        return x + y


class WRNGroup(nn.Module):

    def __init__(self, n, cin, cout, stride):
        super().__init__()
        self.layer = nn.Sequential(*[
            WRNBlock(cin if j == 0 else cout, cout, stride if j == 0 else 1)
            for j in range(n)
        ])

    def forward(self, x):
        return self.layer(x)


class RefWRN(nn.Module):

    def __init__(self, depth, k, num_classes=100):
        super().__init__()
        n = (depth - 4) // 6
        widths = [16, 16 * k, 32 * k, 64 * k]
        self.conv1 = conv(3, 16, 3)
        self.block1 = WRNGroup(n, widths[0], widths[1], 1)
        self.block2 = WRNGroup(n, widths[1], widths[2], 2)
        self.block3 = WRNGroup(n, widths[2], widths[3], 2)
        self.bn1 = nn.BatchNorm2d(widths[3])
        self.fc = nn.Linear(widths[3], num_classes)

    def forward(self, x):
        x = self.block3(self.block2(self.block1(self.conv1(x))))
        x = F.relu(self.bn1(x))
        return self.fc(F.avg_pool2d(x, 8).flatten(1))


# ------------------------------------------------------------------- vgg.py
VGG_CFGS = {
    'S': [[64], [128], [256], [512], [512]],
    'A': [[64], [128], [256, 256], [512, 512], [512, 512]],
    'B': [[64, 64], [128, 128], [256, 256], [512, 512], [512, 512]],
    'D': [[64, 64], [128, 128], [256] * 3, [512] * 3, [512] * 3],
    'E': [[64, 64], [128, 128], [256] * 4, [512] * 4, [512] * 4],
}


class RefVGG(nn.Module):

    def __init__(self, cfg, num_classes=100):
        super().__init__()
        cin = 3
        for b, widths in enumerate(VGG_CFGS[cfg]):
            layers = []
            for w in widths:
                layers += [conv(cin, w, 3, bias=True), nn.BatchNorm2d(w),
                           nn.ReLU()]
                cin = w
            setattr(self, f'block{b}', nn.Sequential(*layers[:-1]))
        self.classifier = nn.Linear(512, num_classes)

    def forward(self, x):
        h = x.shape[2]
        for b in range(5):
            x = F.relu(getattr(self, f'block{b}')(x))
            if b < 3 or (b == 3 and h == 64):
                x = F.max_pool2d(x, 2, 2)
        return self.classifier(F.adaptive_avg_pool2d(x, 1).flatten(1))


# ----------------------------------------------------------- mobilenetv2.py
class InvertedResidual(nn.Module):

    def __init__(self, cin, cout, stride, t):
        super().__init__()
        hidden = cin * t
        self.residual = stride == 1 and cin == cout
        self.conv = nn.Sequential(
            conv(cin, hidden, 1), nn.BatchNorm2d(hidden), nn.ReLU(),
            conv(hidden, hidden, 3, stride, groups=hidden),
            nn.BatchNorm2d(hidden), nn.ReLU(), conv(hidden, cout, 1),
            nn.BatchNorm2d(cout))

    def forward(self, x):
        return x + self.conv(x) if self.residual else self.conv(x)


class RefMobileHalf(nn.Module):
    """mobile_half: T = 6, width 0.5, channels after scaling."""

    def __init__(self, num_classes=100):
        super().__init__()
        self.conv1 = nn.Sequential(conv(3, 16, 3, 2), nn.BatchNorm2d(16),
                                   nn.ReLU())
        self.blocks = nn.ModuleList()
        cin = 16
        for t, c, n, s in ((1, 8, 1, 1), (6, 12, 2, 1), (6, 16, 3, 2),
                           (6, 32, 4, 2), (6, 48, 3, 1), (6, 80, 3, 2),
                           (6, 160, 1, 1)):
            stage = []
            for j in range(n):
                stage.append(InvertedResidual(cin, c, s if j == 0 else 1, t))
                cin = c
            self.blocks.append(nn.Sequential(*stage))
        self.conv2 = nn.Sequential(conv(160, 1280, 1), nn.BatchNorm2d(1280),
                                   nn.ReLU())
        self.avgpool = nn.AvgPool2d(2, ceil_mode=True)
        self.classifier = nn.Sequential(nn.Linear(1280, num_classes))

    def forward(self, x):
        x = self.conv1(x)
        for stage in self.blocks:
            x = stage(x)
        x = self.avgpool(self.conv2(x))
        return self.classifier(x.flatten(1))


# ---------------------------------------------------------- ShuffleNetv1.py
class ShuffleV1Unit(nn.Module):

    def __init__(self, cin, branch_out, stride, groups):
        super().__init__()
        mid = branch_out // 4
        self.g = 1 if cin == 24 else groups
        self.stride = stride
        self.conv1 = conv(cin, mid, 1, groups=self.g)
        self.bn1 = nn.BatchNorm2d(mid)
        self.conv2 = conv(mid, mid, 3, stride, groups=mid)
        self.bn2 = nn.BatchNorm2d(mid)
        self.conv3 = conv(mid, branch_out, 1, groups=groups)
        self.bn3 = nn.BatchNorm2d(branch_out)

    def forward(self, x):
        y = shuffle_channels(F.relu(self.bn1(self.conv1(x))), self.g)
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        if self.stride == 2:
            return F.relu(torch.cat([y, F.avg_pool2d(x, 3, 2, 1)], 1))
        return F.relu(y + x)


class RefShuffleV1(nn.Module):

    def __init__(self, num_classes=100):
        super().__init__()
        self.conv1 = conv(3, 24, 1)
        self.bn1 = nn.BatchNorm2d(24)
        cin = 24
        for s, (w, n) in enumerate(zip((240, 480, 960), (4, 8, 4))):
            units = []
            for j in range(n):
                units.append(ShuffleV1Unit(cin, w - cin if j == 0 else w,
                                           2 if j == 0 else 1, 3))
                cin = w
            setattr(self, f'layer{s + 1}', nn.Sequential(*units))
        self.linear = nn.Linear(960, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.linear(F.avg_pool2d(x, 4).flatten(1))


# ---------------------------------------------------------- ShuffleNetv2.py
class ShuffleV2Down(nn.Module):

    def __init__(self, cin, cout):
        super().__init__()
        mid = cout // 2
        self.conv1 = conv(cin, cin, 3, 2, groups=cin)
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv2 = conv(cin, mid, 1)
        self.bn2 = nn.BatchNorm2d(mid)
        self.conv3 = conv(cin, mid, 1)
        self.bn3 = nn.BatchNorm2d(mid)
        self.conv4 = conv(mid, mid, 3, 2, groups=mid)
        self.bn4 = nn.BatchNorm2d(mid)
        self.conv5 = conv(mid, mid, 1)
        self.bn5 = nn.BatchNorm2d(mid)

    def forward(self, x):
        left = F.relu(self.bn2(self.conv2(self.bn1(self.conv1(x)))))
        right = F.relu(self.bn3(self.conv3(x)))
        right = F.relu(self.bn5(self.conv5(self.bn4(self.conv4(right)))))
        return shuffle_channels(torch.cat([left, right], 1), 2)


class ShuffleV2Basic(nn.Module):

    def __init__(self, c):
        super().__init__()
        h = c // 2
        self.conv1 = conv(h, h, 1)
        self.bn1 = nn.BatchNorm2d(h)
        self.conv2 = conv(h, h, 3, groups=h)
        self.bn2 = nn.BatchNorm2d(h)
        self.conv3 = conv(h, h, 1)
        self.bn3 = nn.BatchNorm2d(h)

    def forward(self, x):
        h = x.shape[1] // 2
        y = F.relu(self.bn1(self.conv1(x[:, h:])))
        y = F.relu(self.bn3(self.conv3(self.bn2(self.conv2(y)))))
        return shuffle_channels(torch.cat([x[:, :h], y], 1), 2)


class RefShuffleV2(nn.Module):

    def __init__(self, num_classes=100):
        super().__init__()
        self.conv1 = conv(3, 24, 1)
        self.bn1 = nn.BatchNorm2d(24)
        cin = 24
        for s, (w, n) in enumerate(zip((116, 232, 464), (3, 7, 3))):
            setattr(self, f'layer{s + 1}', nn.Sequential(
                ShuffleV2Down(cin, w), *[ShuffleV2Basic(w) for _ in
                                         range(n)]))
            cin = w
        self.conv2 = conv(464, 1024, 1)
        self.bn2 = nn.BatchNorm2d(1024)
        self.linear = nn.Linear(1024, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        return self.linear(F.avg_pool2d(x, 4).flatten(1))


# ---------------------------------------------- imagenet/mobilenetv1.py
class RefMobileNetV1(nn.Module):

    def __init__(self):
        super().__init__()
        layers = [nn.Sequential(conv(3, 32, 3, 2), nn.BatchNorm2d(32),
                                nn.ReLU())]
        cin = 32
        for cout, stride in ((64, 1), (128, 2), (128, 1), (256, 2),
                             (256, 1), (512, 2), (512, 1), (512, 1),
                             (512, 1), (512, 1), (512, 1), (1024, 2),
                             (1024, 1)):
            layers.append(nn.Sequential(
                conv(cin, cin, 3, stride, groups=cin), nn.BatchNorm2d(cin),
                nn.ReLU(), conv(cin, cout, 1), nn.BatchNorm2d(cout),
                nn.ReLU()))
            cin = cout
        layers.append(nn.AvgPool2d(7))
        self.model = nn.Sequential(*layers)
        self.fc = nn.Linear(1024, 1000)

    def forward(self, x):
        return self.fc(self.model(x).reshape(-1, 1024))


def randomize_(model: nn.Module, seed: int) -> nn.Module:
    """Give every parameter and BN statistic random, non-default values
    that keep activations in a sane range, so a wrong mapping shows."""
    generator = torch.Generator().manual_seed(seed)

    def uniform(tensor, low, high):
        tensor.copy_(torch.rand(tensor.shape, generator=generator) *
                     (high - low) + low)

    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                fan_in = module.weight[0].numel()
                bound = (3.0 / fan_in)**0.5
                uniform(module.weight, -bound, bound)
                if module.bias is not None:
                    uniform(module.bias, -0.1, 0.1)
            elif isinstance(module, nn.BatchNorm2d):
                uniform(module.weight, 0.5, 1.5)
                uniform(module.bias, -0.2, 0.2)
                uniform(module.running_mean, -0.2, 0.2)
                uniform(module.running_var, 0.5, 2.0)
                module.num_batches_tracked.fill_(
                    int(torch.randint(1, 1000, (1, ), generator=generator)))
    return model
