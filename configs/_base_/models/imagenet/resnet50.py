# ImageNet ResNet-50, torchvision layout (mdistiller
# models/imagenet/resnet.py), docs/model_zoo.md. Same settings as resnet18
# (zero_init_residual=False as in torchvision's default); only the depth and
# the head's input width (bottleneck expansion 4) differ.
_base_ = ['./resnet18.py']
model = dict(backbone=dict(depth=50), head=dict(in_channels=2048))
