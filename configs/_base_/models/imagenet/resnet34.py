# ImageNet ResNet-34, torchvision layout (mdistiller
# models/imagenet/resnet.py), docs/model_zoo.md. Same settings as resnet18
# (zero_init_residual=False as in torchvision's default); only the depth
# differs.
_base_ = ['./resnet18.py']
model = dict(backbone=dict(depth=34))
