# CRD model zoo ResNet50 (RepDistiller models/resnetv2.py) = MMPretrain
# ResNet_CIFAR(depth=50), docs/model_zoo.md: the ImageNet ResNet-50 config with
# the CIFAR stem (3x3 conv, no max pool) and 100 classes.
# zero_init_residual=False as in the reference (MMPretrain's default is True),
# inherited from the ImageNet config.
_base_ = ['../imagenet/resnet50.py']
model = dict(backbone=dict(type='ResNet_CIFAR'), head=dict(num_classes=100))
